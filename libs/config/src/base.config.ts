import { ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ToInt, ToList } from './env-transforms';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Variables every app reads. Each app extends this with its own. */
export class BaseConfig {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevelName = 'info';

  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @ToList()
  @IsArray()
  @ArrayNotEmpty()
  @Matches(/^[\w.-]+:\d{1,5}$/, { each: true, message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string[];

  @IsString()
  @Matches(/^[\w.-]+$/)
  KAFKA_CLIENT_ID = 'redpacket';

  /** Prefix for every topic and consumer group name: isolates test runs and environments. */
  @IsOptional()
  @Matches(/^[\w.-]*$/, { message: 'KAFKA_NAMESPACE may hold letters, digits, dots, dashes and underscores' })
  KAFKA_NAMESPACE = '';

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  ORDER_TOPIC_PARTITIONS = 6;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(5)
  KAFKA_REPLICATION_FACTOR = 1;

  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 3000;

  @IsString()
  HTTP_HOST = '0.0.0.0';

  @ToInt()
  @IsInt()
  @Min(100)
  @Max(120_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;
}

import { LOG_LEVELS, type LogLevelName, ToInt } from '@redpacket/config';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** `npm run system`: what may be tuned, validated once before anything starts. */
export class SystemConfig {
  /** The order service's port; the reward service, reconciler and monitor take the next three. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(65_532)
  SYSTEM_BASE_PORT = 3000;

  @IsString()
  HTTP_HOST = '127.0.0.1';

  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevelName = 'info';

  /** How long every app has to answer 200 on /health/ready. */
  @ToInt()
  @IsInt()
  @Min(1_000)
  SYSTEM_READY_TIMEOUT_MS = 120_000;

  /** SIGTERM, then SIGKILL after this; longer than the apps' own SHUTDOWN_TIMEOUT_MS (10 s). */
  @ToInt()
  @IsInt()
  @Min(0)
  SYSTEM_STOP_GRACE_MS = 20_000;

  /** Where Kafka (and a throw-away Postgres) live when this command starts them; default .infra/run. */
  @IsOptional()
  @IsString()
  SYSTEM_STATE_DIR?: string;

  /** Given: the apps use this database as it is. Otherwise `redpacket` is created on the provisioned server. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** The reconciler's admin token; in production one is generated when none is given. */
  @IsOptional()
  @IsString()
  @Length(16, 256, { message: 'ADMIN_TOKEN must be 16-256 characters' })
  ADMIN_TOKEN?: string;
}

import { existsSync } from 'node:fs';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { ToBoolean, ToInt, ToList } from './env-transforms';
import { RefusedInProduction } from './production-guard';
import { type AdminScope, parseAdminCredentials } from './admin-credentials';

export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256'] as const;
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export const TRACE_EXPORTERS = ['none', 'otlp', 'file', 'console'] as const;
export type TraceExporterName = (typeof TRACE_EXPORTERS)[number];

/** Variables every app reads. Each app extends this with its own. */
export class BaseConfig {
  /** `production` turns on every refusal of an unsafe value; `development` and `test` allow the shortcuts. */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  /** The lowest level written: `debug`, `info`, `warn` or `error`. */
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevelName = 'info';

  /**
   * Where spans go: `none` (tracing off, the default: nothing is recorded or stored), `otlp` (a collector,
   * at TRACING_OTLP_URL or the standard OTEL_EXPORTER_OTLP_* variables), `file` (one JSON span per line in
   * TRACING_FILE), `console`.
   */
  @IsIn(TRACE_EXPORTERS)
  TRACING_EXPORTER: TraceExporterName = 'none';

  /** The file spans are written to, one JSON span per line, when TRACING_EXPORTER=file. */
  @ValidateIf((config: BaseConfig) => config.TRACING_EXPORTER === 'file')
  @IsString({ message: 'TRACING_FILE is required when TRACING_EXPORTER=file' })
  @Length(1, 4096)
  TRACING_FILE?: string;

  /**
   * The collector spans are sent to (OTLP over HTTP) when TRACING_EXPORTER=otlp; without it the standard
   * OTEL_EXPORTER_OTLP_* variables apply.
   */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'TRACING_OTLP_URL must be an http(s) URL' })
  TRACING_OTLP_URL?: string;

  /**
   * Postgres, as a URL; its `sslmode` (`require`, `verify-ca`, `verify-full`) turns TLS on, as libpq's
   * does. Production refuses a URL without one unless DATABASE_ALLOW_PLAINTEXT=true (logged at boot).
   */
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  @RefusedInProduction(
    (url: unknown, config: BaseConfig) =>
      typeof url === 'string' && !databaseUsesTls(url) && !config.DATABASE_ALLOW_PLAINTEXT,
    'DATABASE_URL without sslmode=require, verify-ca or verify-full sends queries and amounts in the clear (set DATABASE_ALLOW_PLAINTEXT=true to accept that, logged at boot)',
  )
  DATABASE_URL: string;

  /** The explicit override for a database reached without TLS (one host, or a private network). */
  @ToBoolean()
  @IsBoolean()
  DATABASE_ALLOW_PLAINTEXT = false;

  /**
   * Connections per app; the relay holds up to OUTBOX_PIPELINE_DEPTH of them, orders up to
   * ORDER_MAX_IN_FLIGHT.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** The brokers to bootstrap from, comma-separated `host:port`. */
  @ToList()
  @IsArray()
  @ArrayNotEmpty()
  @Matches(/^[\w.-]+:\d{1,5}$/, { each: true, message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string[];

  /** The client id the app's Kafka clients send, seen in the brokers' logs and quotas. */
  @IsString()
  @Matches(/^[\w.-]+$/)
  KAFKA_CLIENT_ID = 'redpacket';

  /**
   * The Kafka client library behind libs/kafka's port: `kafkajs` (the default) or `platformatic`
   * (@platformatic/kafka). It chooses the idempotent producer of every app; consumers and admin calls
   * use kafkajs either way.
   */
  @IsIn(KAFKA_CLIENTS)
  KAFKA_CLIENT: KafkaClientName = 'kafkajs';

  /**
   * SASL of every Kafka connection: the app's own principal, whose ACLs say what it may read and write.
   * Unset, the app connects without authentication (a development broker); production refuses that.
   */
  @IsIn(KAFKA_SASL_MECHANISMS)
  KAFKA_SASL_MECHANISM: KafkaSaslMechanism = 'scram-sha-512';

  /**
   * The app's Kafka principal (SASL/SCRAM); without it and KAFKA_SASL_PASSWORD the app connects anonymously.
   */
  @ValidateIf(needsKafkaCredentials)
  @IsString({ message: (args: ValidationArguments) => credentialMissing(args, 'KAFKA_SASL_PASSWORD') })
  @Matches(/^[\w.@-]{1,128}$/, { message: 'KAFKA_SASL_USERNAME may hold letters, digits, dots, dashes, @ and _' })
  KAFKA_SASL_USERNAME?: string;

  /** The password of KAFKA_SASL_USERNAME. */
  @ValidateIf(needsKafkaCredentials)
  @IsString({ message: (args: ValidationArguments) => credentialMissing(args, 'KAFKA_SASL_USERNAME') })
  @Length(8, 256, { message: 'KAFKA_SASL_PASSWORD must be 8-256 characters' })
  KAFKA_SASL_PASSWORD?: string;

  /**
   * TLS to the brokers, verifying their certificate: with the system's CAs, or with KAFKA_SSL_CA_FILE's
   * (which turns TLS on by itself). Without either the clients speak plaintext, which production refuses
   * unless KAFKA_ALLOW_PLAINTEXT=true (logged at boot).
   */
  @ToBoolean()
  @IsBoolean()
  @RefusedInProduction(
    (_ssl: unknown, config: BaseConfig) => !kafkaUsesTls(config) && !config.KAFKA_ALLOW_PLAINTEXT,
    'KAFKA_SSL is off: events and produce requests cross the network in the clear (set KAFKA_SSL or KAFKA_SSL_CA_FILE, or KAFKA_ALLOW_PLAINTEXT=true to accept that, logged at boot)',
  )
  KAFKA_SSL = false;

  /** The CA (PEM file) the brokers' certificates are verified with; `npm run infra:up` prints its own. */
  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'readableFile',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && existsSync(value),
      defaultMessage: () => 'KAFKA_SSL_CA_FILE must name a readable PEM file',
    },
  })
  KAFKA_SSL_CA_FILE?: string;

  /** The explicit override for brokers reached without TLS (the compose file's single network). */
  @ToBoolean()
  @IsBoolean()
  KAFKA_ALLOW_PLAINTEXT = false;

  /** Prefix for every topic and consumer group name: isolates test runs and environments. */
  @IsOptional()
  @Matches(/^[\w.-]*$/, { message: 'KAFKA_NAMESPACE may hold letters, digits, dots, dashes and underscores' })
  KAFKA_NAMESPACE = '';

  /** Partitions of `order.purchased`, created at boot through the admin API when the topic is missing. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  ORDER_TOPIC_PARTITIONS = 6;

  /** Copies of every system topic: acks=all waits for the in-sync ones. Production needs 3. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(5)
  @RefusedInProduction(
    (factor: unknown, config: BaseConfig) => (factor as number) < 3 && !config.KAFKA_ALLOW_WEAK_DURABILITY,
    'KAFKA_REPLICATION_FACTOR under 3 keeps an acknowledged event on fewer than three disks (set KAFKA_ALLOW_WEAK_DURABILITY=true to accept that, logged at boot)',
  )
  KAFKA_REPLICATION_FACTOR = 1;

  /**
   * `min.insync.replicas` of every system topic: how many copies an acks=all write needs before it is
   * acknowledged. Defaults to 2 where there are at least 2 copies; at most the replication factor.
   */
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(5)
  @ValidateBy({
    name: 'notAboveReplicationFactor',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        value === undefined || (value as number) <= (args?.object as BaseConfig).KAFKA_REPLICATION_FACTOR,
      defaultMessage: () =>
        'KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_REPLICATION_FACTOR: no write could succeed',
    },
  })
  @RefusedInProduction(
    (_value: unknown, config: BaseConfig) => minInsyncReplicas(config) < 2 && !config.KAFKA_ALLOW_WEAK_DURABILITY,
    'KAFKA_MIN_INSYNC_REPLICAS under 2 lets acks=all mean one disk (set KAFKA_ALLOW_WEAK_DURABILITY=true to accept that, logged at boot)',
  )
  KAFKA_MIN_INSYNC_REPLICAS?: number;

  /** The explicit override for a production deployment on fewer than 3 copies or 2 in-sync ones. */
  @ToBoolean()
  @IsBoolean()
  KAFKA_ALLOW_WEAK_DURABILITY = false;

  /**
   * Failpoints inject crashes and delays for the fault suite; no production process may carry them.
   * (The failpoints library reads this variable itself; it is declared here so production can refuse it.)
   */
  @IsOptional()
  @IsString()
  @RefusedInProduction(() => true, 'FAILPOINTS injects crashes and delays; unset it')
  FAILPOINTS?: string;

  /**
   * The development shortcut: one bearer token holding every admin scope (named `admin`). Refused in
   * production, where each holder gets an ADMIN_CREDENTIALS entry with only the scopes it needs.
   */
  @IsOptional()
  @IsString()
  @Length(16, 256, { message: 'ADMIN_TOKEN must be 16-256 characters' })
  @RefusedInProduction(
    () => true,
    'ADMIN_TOKEN holds every admin scope; give each holder an ADMIN_CREDENTIALS entry with its own scopes',
  )
  ADMIN_TOKEN?: string;

  /**
   * Named, scoped admin credentials, `name:scope+scope:token` separated by commas (see
   * admin-credentials.ts). Without any, admin calls are refused and health answers status only. In
   * production an app refuses an entry holding a scope it does not serve: a token kept where it is not
   * used is one more place to steal it from.
   */
  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'adminCredentials',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        credentialProblems(String(value), args?.object as BaseConfig).length === 0,
      defaultMessage: (args?: ValidationArguments) =>
        credentialProblems(String(args?.value), args?.object as BaseConfig).join('; '),
    },
  })
  ADMIN_CREDENTIALS?: string;

  /**
   * `/metrics` answers without a token: only for a scraper on a network nobody else reaches. Otherwise it
   * takes a credential holding the `metrics` scope, as the monitor's snapshot does.
   */
  @ToBoolean()
  @IsBoolean()
  METRICS_PUBLIC = false;

  /** The admin scopes this app's endpoints check; each app names its own. */
  servedAdminScopes(): readonly AdminScope[] {
    return ['read', 'metrics'];
  }

  /** Where the API, `/health` and `/metrics` listen (on HTTP_HOST). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 3000;

  /** Where HTTP (the API, /health and /metrics) listens; loopback unless told, as a container must be. */
  @IsString()
  HTTP_HOST = '127.0.0.1';

  /** A signal's graceful close must end within this; past it the process exits with code 1. */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(120_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;
}

/** Production always signs in to Kafka; elsewhere a username and a password come as a pair. */
function needsKafkaCredentials(config: BaseConfig): boolean {
  return (
    config.NODE_ENV === 'production' ||
    config.KAFKA_SASL_USERNAME !== undefined ||
    config.KAFKA_SASL_PASSWORD !== undefined
  );
}

function credentialMissing(args: ValidationArguments, other: string): string {
  return (args.object as BaseConfig).NODE_ENV === 'production'
    ? 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required in production: a broker that lets anyone produce lets anyone say an order was purchased'
    : `${args.property} is required with ${other}`;
}

/** The in-sync replicas a system topic requires: the setting, or 2 where there are at least 2 copies. */
export function minInsyncReplicas(
  config: Pick<BaseConfig, 'KAFKA_REPLICATION_FACTOR' | 'KAFKA_MIN_INSYNC_REPLICAS'>,
): number {
  return config.KAFKA_MIN_INSYNC_REPLICAS ?? Math.min(2, config.KAFKA_REPLICATION_FACTOR);
}

function credentialProblems(text: string, config: BaseConfig): string[] {
  const { credentials, problems } = parseAdminCredentials(text);
  if (config.NODE_ENV !== 'production') return problems;
  const served = config.servedAdminScopes();
  const stray = credentials.flatMap(({ name, scopes }) =>
    scopes
      .filter((scope) => !served.includes(scope))
      .map((scope) => `${name}: refused in production: this app does not serve the ${scope} scope`),
  );
  return [...problems, ...stray];
}

/** Whether a Postgres URL asks for TLS (`sslmode` require, verify-ca or verify-full). */
export function databaseUsesTls(url: string): boolean {
  const mode = /[?&]sslmode=([\w-]+)/.exec(url)?.[1];
  return mode === 'require' || mode === 'verify-ca' || mode === 'verify-full';
}

/** Whether the Kafka clients speak TLS. */
export function kafkaUsesTls(config: Pick<BaseConfig, 'KAFKA_SSL' | 'KAFKA_SSL_CA_FILE'>): boolean {
  return config.KAFKA_SSL || config.KAFKA_SSL_CA_FILE !== undefined;
}

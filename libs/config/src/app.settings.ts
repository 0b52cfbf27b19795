import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ToInt } from './env-transforms';
import { RefusedInProduction } from './production-guard';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export const TRACE_EXPORTERS = ['none', 'otlp', 'file', 'console'] as const;
export type TraceExporterName = (typeof TRACE_EXPORTERS)[number];

/** What every process reads about itself: its environment, logs, traces, HTTP listener and shutdown. */
export class AppSettings {
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
  @ValidateIf((config: AppSettings) => config.TRACING_EXPORTER === 'file')
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
   * Failpoints inject crashes and delays for the fault suite; no production process may carry them.
   * (The failpoints library reads this variable itself; it is declared here so production can refuse it.)
   */
  @IsOptional()
  @IsString()
  @RefusedInProduction(() => true, 'FAILPOINTS injects crashes and delays; unset it')
  FAILPOINTS?: string;

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

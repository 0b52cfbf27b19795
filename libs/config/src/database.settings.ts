import { IsBoolean, IsInt, Matches, Max, Min } from 'class-validator';
import { ToBoolean, ToInt } from './env-transforms';
import { RefusedInProduction } from './production-guard';
import type { ConfigConstructor } from './config-constructor';

/** Adds Postgres: where it is, whether it is reached over TLS, and the pool. */
export function WithDatabase<Base extends ConfigConstructor>(base: Base) {
  class DatabaseSettings extends base {
    /**
     * Postgres, as a URL; its `sslmode` (`require`, `verify-ca`, `verify-full`) turns TLS on, as libpq's
     * does. Production refuses a URL without one unless DATABASE_ALLOW_PLAINTEXT=true (logged at boot).
     */
    @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
    @RefusedInProduction(
      (url: unknown, config: DatabaseSettings) =>
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
  }
  return DatabaseSettings;
}

/** Whether a Postgres URL asks for TLS (`sslmode` require, verify-ca or verify-full). */
export function databaseUsesTls(url: string): boolean {
  const mode = /[?&]sslmode=([\w-]+)/.exec(url)?.[1];
  return mode === 'require' || mode === 'verify-ca' || mode === 'verify-full';
}

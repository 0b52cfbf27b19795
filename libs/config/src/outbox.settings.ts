import { IsBoolean, IsInt, Max, Min, ValidateBy, type ValidationArguments } from 'class-validator';
import type { ConfigConstructor } from './config-constructor';
import { ToBoolean, ToInt } from './env-transforms';

/** What the relay's settings are checked against: the pool they take their connections from. */
interface PoolSettings {
  DATABASE_POOL_SIZE: number;
}

/**
 * Adds the outbox relay's settings to an app's configuration: only the apps that own an outbox and run
 * its relay (the order service, the reward service) declare them.
 */
export function WithOutbox<Base extends ConfigConstructor<PoolSettings>>(base: Base) {
  class OutboxSettings extends base {
    /** Run this app's outbox relay (off: rows wait in the outbox for a relay elsewhere). */
    @ToBoolean()
    @IsBoolean()
    OUTBOX_RELAY_ENABLED = true;

    /** Rows a relay transaction claims when there is no backlog; claims shrink back to it once one is drained. */
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(10_000)
    OUTBOX_BATCH_SIZE = 200;

    /**
     * While a backlog lasts, a claim that came back full makes the next one twice as large, up to this
     * many rows (at or below OUTBOX_BATCH_SIZE, claims keep that size). 1,600 rows of our events make a
     * send of about half a megabyte, well within the broker's default message.max.bytes per partition.
     */
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(10_000)
    OUTBOX_MAX_BATCH_SIZE = 1_600;

    /**
     * Relay batches in flight at once, each its own transaction on its own pool connection: while one
     * waits for Kafka's acknowledgement, the next is claimed and the one before commits. They come out of
     * DATABASE_POOL_SIZE, so at least one connection is left to the app's own work.
     */
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(16)
    @LeavesAPoolConnection()
    OUTBOX_PIPELINE_DEPTH = 3;

    /**
     * Producer retries of one send (with backoff) before the rows are rescheduled with an error
     * recorded. At least 1: kafkajs refuses an idempotent producer without retries.
     */
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(10)
    OUTBOX_SEND_RETRIES = 3;

    /**
     * The relay wakes on the NOTIFY sent at commit; polling is only the safety net (a lost
     * notification, a row rescheduled after a failed send). Idle, it polls at most this often.
     */
    @ToInt()
    @IsInt()
    @Min(10)
    @Max(60_000)
    OUTBOX_IDLE_MAX_MS = 1_000;

    /**
     * Sends failing in a row for longer than this make the relay a `degraded` detail of readiness (its
     * metric, redpacket_outbox_send_failing_seconds, shows the gap from the first failure).
     */
    @ToInt()
    @IsInt()
    @Min(1_000)
    @Max(3_600_000)
    OUTBOX_DEGRADED_AFTER_MS = 30_000;

    /** Published outbox rows are kept this long, then purged. */
    @ToInt()
    @IsInt()
    @Min(0)
    OUTBOX_RETENTION_SECONDS = 60 * 60;

    /** How often the outbox purge runs (and, in the order service, the purge of expired idempotency keys). */
    @ToInt()
    @IsInt()
    @Min(100)
    RETENTION_INTERVAL_MS = 60_000;
  }
  return OutboxSettings;
}

/** The settings `WithOutbox` adds (with the pool they are checked against). */
export type OutboxSettings = InstanceType<ReturnType<typeof WithOutbox>>;

/** A relay that could take every pooled connection would leave the app's requests waiting for one. */
function LeavesAPoolConnection() {
  return ValidateBy({
    name: 'leavesAPoolConnection',
    validator: {
      validate: (depth: unknown, args?: ValidationArguments) =>
        typeof depth !== 'number' || depth < (args?.object as PoolSettings).DATABASE_POOL_SIZE,
      defaultMessage: (args?: ValidationArguments) =>
        `OUTBOX_PIPELINE_DEPTH (${String(args?.value)}) must be lower than DATABASE_POOL_SIZE (${String((args?.object as PoolSettings).DATABASE_POOL_SIZE)}): each batch in flight holds a pooled connection`,
    },
  });
}

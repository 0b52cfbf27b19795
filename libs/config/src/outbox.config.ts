import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { BaseConfig } from './base.config';
import { ToBoolean, ToInt } from './env-transforms';

/** For apps that own an outbox and run its relay. */
export class OutboxConfig extends BaseConfig {
  @ToBoolean()
  @IsBoolean()
  OUTBOX_RELAY_ENABLED = true;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE = 200;

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

  @ToInt()
  @IsInt()
  @Min(0)
  OUTBOX_RETENTION_SECONDS = 60 * 60;

  @ToInt()
  @IsInt()
  @Min(100)
  RETENTION_INTERVAL_MS = 60_000;
}

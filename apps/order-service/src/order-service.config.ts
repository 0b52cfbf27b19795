import { BaseConfig, ToBoolean, ToInt } from '@redpacket/config';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';

export class OrderServiceConfig extends BaseConfig {
  /** How long a key's stored response is replayed (the IETF draft and Stripe keep at least 24 h). */
  @ToInt()
  @IsInt()
  @Min(1)
  IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;

  @ToBoolean()
  @IsBoolean()
  OUTBOX_RELAY_ENABLED = true;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE = 200;

  /** Producer retries of one send (with backoff) before the rows are rescheduled with an error recorded. */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(10)
  OUTBOX_SEND_RETRIES = 3;

  @ToInt()
  @IsInt()
  @Min(0)
  OUTBOX_RETENTION_SECONDS = 60 * 60;

  @ToInt()
  @IsInt()
  @Min(100)
  RETENTION_INTERVAL_MS = 60_000;
}

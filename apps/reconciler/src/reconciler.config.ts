import { ToBoolean, ToInt } from '@redpacket/config';
import { RewardsConfig } from '@redpacket/rewards';
import { IsBoolean, IsInt, IsString, Length, Max, Min, ValidateIf } from 'class-validator';

export class ReconcilerConfig extends RewardsConfig {
  /** Orders younger than this are left to the event path. */
  @ToInt()
  @IsInt()
  @Min(0)
  RECONCILER_GRACE_SECONDS = 300;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(10_000)
  RECONCILER_BATCH_SIZE = 500;

  @ToBoolean()
  @IsBoolean()
  RECONCILER_SCHEDULE_ENABLED = true;

  @IsString()
  RECONCILER_CRON = '*/5 * * * *';

  @IsString()
  RETENTION_CRON = '*/10 * * * *';

  /** The dedup window. Must outlast order.purchased's retention plus the margin; 0 keeps ids forever. */
  @ToInt()
  @IsInt()
  @Min(0)
  PROCESSED_MESSAGES_RETENTION_HOURS = 8 * 24;

  @ToInt()
  @IsInt()
  @Min(0)
  DEDUP_WINDOW_MARGIN_HOURS = 24;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100_000)
  RETENTION_BATCH_SIZE = 1_000;

  /** Bearer token for /admin endpoints. Required in production; without it admin calls are refused. */
  @ValidateIf((config: ReconcilerConfig) => config.NODE_ENV === 'production' || config.ADMIN_TOKEN !== undefined)
  @IsString({ message: 'ADMIN_TOKEN is required in production' })
  @Length(16, 256, { message: 'ADMIN_TOKEN must be 16-256 characters' })
  ADMIN_TOKEN?: string;
}

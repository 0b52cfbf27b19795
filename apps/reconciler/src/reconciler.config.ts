import { type AdminScope, BaseConfig, ToBoolean, ToInt } from '@redpacket/config';
import { WithRewards } from '@redpacket/rewards';
import { IsBoolean, IsInt, IsString, Max, Min } from 'class-validator';

/** The reconciler's settings: what every app reads, what a granting app reads, and its runs and purges. */
export class ReconcilerConfig extends WithRewards(BaseConfig) {
  /** Orders younger than this are left to the event path. */
  @ToInt()
  @IsInt()
  @Min(0)
  RECONCILER_GRACE_SECONDS = 300;

  /** Orders decided per transaction in a reconciliation run. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(10_000)
  RECONCILER_BATCH_SIZE = 500;

  /**
   * How far before the last covered point an incremental run starts again. Windows are cut by the database's
   * clock, and an order becomes visible at its commit: an order created at t and committed within the grace
   * period is already seen by the run whose window ends at t. The overlap is for what the grace does not
   * cover: a clock that steps back (NTP, a failover to a host whose clock differs), or an order transaction
   * longer than the grace. 60 s allows a minute of either; a full scan on demand covers the rest.
   */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(86_400)
  RECONCILER_OVERLAP_SECONDS = 60;

  /** Finished runs are deleted after this; the run holding the high-water mark is always kept. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(3_650)
  RECONCILER_RUN_RETENTION_DAYS = 30;

  /** Run reconciliations on RECONCILER_CRON (off: only the CLI and the admin API start one). */
  @ToBoolean()
  @IsBoolean()
  RECONCILER_SCHEDULE_ENABLED = true;

  /** When scheduled reconciliations run (cron syntax, the server's time zone). */
  @IsString()
  RECONCILER_CRON = '*/5 * * * *';

  /**
   * When the reconciler purges processed-message ids past the dedup window and finished runs (cron syntax).
   */
  @IsString()
  RETENTION_CRON = '*/10 * * * *';

  /** The dedup window. Must outlast order.purchased's retention plus the margin; 0 keeps ids forever. */
  @ToInt()
  @IsInt()
  @Min(0)
  PROCESSED_MESSAGES_RETENTION_HOURS = 8 * 24;

  /**
   * How much longer than `order.purchased`'s retention processed-message ids must be kept; the reconciler
   * refuses a shorter window.
   */
  @ToInt()
  @IsInt()
  @Min(0)
  DEDUP_WINDOW_MARGIN_HOURS = 24;

  /** Rows deleted per statement by the reconciler's purges. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100_000)
  RETENTION_BATCH_SIZE = 1_000;

  override servedAdminScopes(): readonly AdminScope[] {
    return ['reconcile', 'read', 'metrics'];
  }
}

import { ToBoolean, ToInt } from '@redpacket/config';
import { RewardsConfig } from '@redpacket/rewards';
import { IsBoolean, IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';

export class RewardServiceConfig extends RewardsConfig {
  @ToBoolean()
  @IsBoolean()
  REWARD_CONSUMER_ENABLED = true;

  /** Users processed at once within one partition (each user's events stay in order). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(64)
  REWARD_CONCURRENCY = 4;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(64)
  REWARD_PARTITIONS_CONCURRENTLY = 3;

  /** How long the group waits for a silent member before giving its partitions to others (broker minimum 6 s). */
  @ToInt()
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  REWARD_SESSION_TIMEOUT_MS = 30_000;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(200)
  override DATABASE_POOL_SIZE = 20;

  /** A monitor probe that arrives later than this raises an alert (warn log, metric, webhook). */
  @ToInt()
  @IsInt()
  @Min(10)
  PROBE_ALERT_THRESHOLD_MS = 5_000;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PROBE_ALERT_WEBHOOK_URL?: string;
}

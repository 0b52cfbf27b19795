import { ToBoolean, ToInt } from '@redpacket/config';
import { WithProbeAlerts } from '@redpacket/monitoring';
import { RewardsConfig } from '@redpacket/rewards';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';

export class RewardServiceConfig extends WithProbeAlerts(RewardsConfig) {
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
}

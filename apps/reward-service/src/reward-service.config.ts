import { OutboxConfig, ToBoolean, ToInt } from '@redpacket/config';
import { GRANT_STRATEGIES, type GrantStrategyName } from '@redpacket/rewards';
import { IsBoolean, IsIn, IsInt, Max, Min } from 'class-validator';

export class RewardServiceConfig extends OutboxConfig {
  /** `inbox-tx` is the only safe choice; the others exist to show in tests what they fail to survive. */
  @IsIn(GRANT_STRATEGIES)
  REWARD_STRATEGY: GrantStrategyName = 'inbox-tx';

  @ToInt()
  @IsInt()
  @Min(1)
  REWARD_MIN_ITEMS = 3;

  /** Packet size in basis points of the order total: 500 = 5 %. */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(10_000)
  REWARD_PERCENT_BASIS_POINTS = 500;

  @ToInt()
  @IsInt()
  @Min(0)
  REWARD_MIN_CENTS = 100;

  @ToInt()
  @IsInt()
  @Min(0)
  REWARD_MAX_CENTS = 5_000;

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

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  REWARD_MAX_OPTIMISTIC_ATTEMPTS = 10;

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

import { type BaseConfig, type ConfigConstructor, RefusedInProduction, ToInt } from '@redpacket/config';
import { CONSUMER_GROUPS, namespaced } from '@redpacket/contracts';
import { outboxLocation } from '@redpacket/outbox';
import { IsEmpty, IsIn, IsInt, Max, Min } from 'class-validator';
import { GRANT_STRATEGIES, type GrantStrategyName } from './grant-red-packet/grant.types';
import type { RewardsOptions } from './rewards.options';

/**
 * Adds what every app that grants packets reads alike: the reward service and the reconciler. The strategy,
 * the optimistic-lock retries and the bounds on a reward rule added through the admin API.
 */
export function WithRewards<Base extends ConfigConstructor<Pick<BaseConfig, 'KAFKA_NAMESPACE'>>>(base: Base) {
  class RewardsSettings extends base {
    /** `inbox-tx` is the only safe choice; the others exist to show in tests what they fail to survive. */
    @IsIn(GRANT_STRATEGIES)
    @RefusedInProduction(
      (strategy) => strategy !== 'inbox-tx',
      'REWARD_STRATEGY other than inbox-tx is a comparison strategy that pays twice or loses rewards',
    )
    REWARD_STRATEGY: GrantStrategyName = 'inbox-tx';

    /**
     * The reward rule is data (`rewards.reward_rules`), the same for every app and changed only through
     * `POST /admin/reward-rules`. The variables that used to set it are refused, so no deployment believes it
     * still configures a rule that nothing reads.
     */
    @RuleIsData()
    REWARD_MIN_ITEMS?: string;

    /** Removed, as REWARD_MIN_ITEMS: the reward rule is data. */
    @RuleIsData()
    REWARD_PERCENT_BASIS_POINTS?: string;

    /** Removed, as REWARD_MIN_ITEMS: the reward rule is data. */
    @RuleIsData()
    REWARD_MIN_CENTS?: string;

    /** Removed, as REWARD_MIN_ITEMS: the reward rule is data. */
    @RuleIsData()
    REWARD_MAX_CENTS?: string;

    /** Grant attempts when the wallet's version check is lost to a concurrent credit. */
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(100)
    REWARD_MAX_OPTIMISTIC_ATTEMPTS = 10;

    /**
     * The most a reward rule added through the admin API may pay, as a share of the order's total (basis
     * points) and per packet (cents): a stolen admin token cannot set a rule that pays out without bound.
     */
    @ToInt()
    @IsInt()
    @Min(0)
    @Max(10_000)
    REWARD_RULE_MAX_PERCENT_BASIS_POINTS = 2_000;

    /** The largest `maxCents` a new reward rule may set; a rule above it is refused with 400. */
    @ToInt()
    @IsInt()
    @Min(0)
    @Max(10_000_000)
    REWARD_RULE_MAX_PACKET_CENTS = 10_000;
  }
  return RewardsSettings;
}

/** The settings `WithRewards` adds. */
export type RewardsSettings = InstanceType<ReturnType<typeof WithRewards>>;

function RuleIsData() {
  return IsEmpty({
    message: ({ property }) =>
      `${property} is no longer read: reward rules live in rewards.reward_rules; add a version with POST /admin/reward-rules`,
  });
}

export function rewardsOptionsFrom(config: RewardsSettings): RewardsOptions {
  return {
    strategy: config.REWARD_STRATEGY,
    consumerGroup: namespaced(config.KAFKA_NAMESPACE, CONSUMER_GROUPS.rewardService),
    kafkaNamespace: config.KAFKA_NAMESPACE,
    maxOptimisticAttempts: config.REWARD_MAX_OPTIMISTIC_ATTEMPTS,
    outbox: outboxLocation('rewards'),
    ruleLimits: {
      maxPercentBasisPoints: config.REWARD_RULE_MAX_PERCENT_BASIS_POINTS,
      maxPacketCents: config.REWARD_RULE_MAX_PACKET_CENTS,
    },
  };
}

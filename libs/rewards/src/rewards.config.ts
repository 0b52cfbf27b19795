import { ConfigValidationError, OutboxConfig, ToInt } from '@redpacket/config';
import { CONSUMER_GROUPS, namespaced } from '@redpacket/contracts';
import { outboxLocation } from '@redpacket/outbox';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { type RewardRule, validateRewardRule } from './domain/reward-rule';
import { GRANT_STRATEGIES, type GrantStrategyName } from './grant-red-packet/grant.types';
import type { RewardsOptions } from './rewards.options';

/** What every app that grants packets (the reward service and the reconciler) configures alike. */
export class RewardsConfig extends OutboxConfig {
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

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  REWARD_MAX_OPTIMISTIC_ATTEMPTS = 10;
}

export function rewardRuleOf(config: RewardsConfig): RewardRule {
  const rule = {
    minItems: config.REWARD_MIN_ITEMS,
    percentBasisPoints: config.REWARD_PERCENT_BASIS_POINTS,
    minCents: config.REWARD_MIN_CENTS,
    maxCents: config.REWARD_MAX_CENTS,
  };
  const problems = validateRewardRule(rule);
  if (problems.length > 0) throw new ConfigValidationError(problems.map((p) => `REWARD_*: ${p}`));
  return rule;
}

export function rewardsOptionsFrom(config: RewardsConfig): RewardsOptions {
  return {
    strategy: config.REWARD_STRATEGY,
    rule: rewardRuleOf(config),
    consumerGroup: namespaced(config.KAFKA_NAMESPACE, CONSUMER_GROUPS.rewardService),
    kafkaNamespace: config.KAFKA_NAMESPACE,
    maxOptimisticAttempts: config.REWARD_MAX_OPTIMISTIC_ATTEMPTS,
    outbox: outboxLocation('rewards'),
  };
}

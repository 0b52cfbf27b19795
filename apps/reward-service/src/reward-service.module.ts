import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigValidationError } from '@redpacket/config';
import { CONSUMER_GROUPS, namespaced } from '@redpacket/contracts';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { outboxLocation, outboxRelayOptions } from '@redpacket/outbox';
import { HealthModule } from '@redpacket/platform';
import { type RewardRule, RewardsModule, validateRewardRule } from '@redpacket/rewards';
import { RewardServiceConfig } from './reward-service.config';

export function rewardRuleOf(config: RewardServiceConfig): RewardRule {
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

/** Grants each qualifying order's red packet exactly once in effect; hosts its own outbox relay. */
@Module({})
export class RewardServiceModule {
  static register(config: RewardServiceConfig): DynamicModule {
    return {
      module: RewardServiceModule,
      imports: [
        ConfigModule.forRoot(RewardServiceConfig, config),
        DatabaseModule.forRoot([], 'reward-service'),
        KafkaModule,
        HealthModule,
        RewardsModule.forRoot(
          {
            strategy: config.REWARD_STRATEGY,
            rule: rewardRuleOf(config),
            consumerGroup: namespaced(config.KAFKA_NAMESPACE, CONSUMER_GROUPS.rewardService),
            kafkaNamespace: config.KAFKA_NAMESPACE,
            maxOptimisticAttempts: config.REWARD_MAX_OPTIMISTIC_ATTEMPTS,
            outbox: outboxLocation('rewards'),
          },
          {
            enabled: config.REWARD_CONSUMER_ENABLED,
            concurrency: config.REWARD_CONCURRENCY,
            partitionsConsumedConcurrently: config.REWARD_PARTITIONS_CONCURRENTLY,
            sessionTimeoutMs: config.REWARD_SESSION_TIMEOUT_MS,
          },
          outboxRelayOptions(config, 'rewards'),
        ),
      ],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { outboxRelayOptions } from '@redpacket/outbox';
import { HealthModule } from '@redpacket/platform';
import { RewardsModule, rewardsOptionsFrom } from '@redpacket/rewards';
import { RewardServiceConfig } from './reward-service.config';

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
          rewardsOptionsFrom(config),
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

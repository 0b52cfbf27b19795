import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { probeAlertOptions, ProbeAlerter, ProbeDelayRecorder } from '@redpacket/monitoring';
import { OutboxRelayModule, outboxRelayOptions } from '@redpacket/outbox';
import { MetricsModule } from '@redpacket/observability';
import { HealthModule } from '@redpacket/platform';
import { RewardsModule, rewardsOptionsFrom } from '@redpacket/rewards';
import { eventVerifierFrom, grantsInBatches, RewardServiceConfig } from './reward-service.config';

/** Grants each qualifying order's red packet exactly once in effect; hosts its own outbox relay. */
@Module({})
export class RewardServiceModule {
  static register(config: RewardServiceConfig): DynamicModule {
    return {
      module: RewardServiceModule,
      imports: [
        ConfigModule.forRoot({ configClass: RewardServiceConfig, loaded: config }),
        DatabaseModule.forRoot({ applicationName: 'reward-service' }),
        KafkaModule,
        HealthModule,
        MetricsModule,
        RewardsModule.forRoot({
          rewards: rewardsOptionsFrom(config),
          consumer: {
            enabled: config.REWARD_CONSUMER_ENABLED,
            concurrency: config.REWARD_CONCURRENCY,
            partitionsConsumedConcurrently: config.REWARD_PARTITIONS_CONCURRENTLY,
            sessionTimeoutMs: config.REWARD_SESSION_TIMEOUT_MS,
            batchGrants: grantsInBatches(config),
            batchSize: config.REWARD_BATCH_SIZE,
            stuckAfterMs: config.REWARD_STUCK_AFTER_MS,
            maxRetryDelayMs: config.REWARD_MAX_RETRY_DELAY_MS,
            verifier: eventVerifierFrom(config),
          },
          probeObserver: (metrics) => {
            const alerter = new ProbeAlerter(probeAlertOptions(config), metrics, new Logger('ProbeDelay'));
            return new ProbeDelayRecorder('reward-service', metrics, alerter);
          },
        }),
        // RedPacketGranted rows, written in each grant's transaction, published by this app's relay.
        OutboxRelayModule.forRoot(outboxRelayOptions(config, 'rewards')),
      ],
    };
  }
}

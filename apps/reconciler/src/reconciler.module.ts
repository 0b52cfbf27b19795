import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { MetricsModule } from '@redpacket/observability';
import { HealthModule } from '@redpacket/platform';
import { ReconciliationModule } from '@redpacket/reconciliation';
import { rewardsOptionsFrom } from '@redpacket/rewards';
import { ReconcilerConfig } from './reconciler.config';

/** Reissues missing red packets (schedule, CLI, admin API) and keeps the dedup tables bounded. */
@Module({})
export class ReconcilerModule {
  static register(config: ReconcilerConfig): DynamicModule {
    return {
      module: ReconcilerModule,
      imports: [
        ConfigModule.forRoot({ configClass: ReconcilerConfig, loaded: config }),
        DatabaseModule.forRoot({ applicationName: 'reconciler' }),
        KafkaModule,
        HealthModule,
        MetricsModule,
        ReconciliationModule.forRoot({
          rewards: rewardsOptionsFrom(config),
          reconciliation: {
            graceSeconds: config.RECONCILER_GRACE_SECONDS,
            batchSize: config.RECONCILER_BATCH_SIZE,
            overlapSeconds: config.RECONCILER_OVERLAP_SECONDS,
          },
          retention: {
            processedMessagesRetentionHours: config.PROCESSED_MESSAGES_RETENTION_HOURS,
            dedupMarginHours: config.DEDUP_WINDOW_MARGIN_HOURS,
            dedupTopic: namespaced(config.KAFKA_NAMESPACE, TOPICS.orderPurchased),
            runRetentionDays: config.RECONCILER_RUN_RETENTION_DAYS,
            batchSize: config.RETENTION_BATCH_SIZE,
          },
          schedule: {
            enabled: config.RECONCILER_SCHEDULE_ENABLED,
            reconcileCron: config.RECONCILER_CRON,
            retentionCron: config.RETENTION_CRON,
          },
        }),
      ],
    };
  }
}

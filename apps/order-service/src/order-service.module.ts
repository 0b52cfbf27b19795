import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { OrderingModule } from '@redpacket/ordering';
import { outboxLocation } from '@redpacket/outbox';
import { HealthModule } from '@redpacket/platform';
import { ReadWalletController, WalletQueries } from '@redpacket/rewards';
import { OrderServiceConfig } from './order-service.config';

/**
 * REST for orders (validated, idempotent), plus read-only wallet views; hosts the outbox relay.
 * The wallet endpoints read the rewards schema: a documented read across the boundary, no writes.
 */
@Module({})
export class OrderServiceModule {
  static register(config: OrderServiceConfig): DynamicModule {
    return {
      module: OrderServiceModule,
      imports: [
        ConfigModule.forRoot(OrderServiceConfig, config),
        DatabaseModule.forRoot([], 'order-service'),
        KafkaModule,
        HealthModule,
        OrderingModule.forRoot(
          { idempotencyKeyTtlSeconds: config.IDEMPOTENCY_KEY_TTL_SECONDS, outbox: outboxLocation('ordering') },
          {
            location: outboxLocation('ordering'),
            enabled: config.OUTBOX_RELAY_ENABLED,
            databaseUrl: config.DATABASE_URL,
            batchSize: config.OUTBOX_BATCH_SIZE,
            sendRetries: config.OUTBOX_SEND_RETRIES,
            retentionSeconds: config.OUTBOX_RETENTION_SECONDS,
            purgeIntervalMs: config.RETENTION_INTERVAL_MS,
          },
        ),
      ],
      controllers: [ReadWalletController],
      providers: [WalletQueries],
    };
  }
}

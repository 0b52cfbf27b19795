import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { ProbesController } from '@redpacket/monitoring';
import { OrderingModule } from '@redpacket/ordering';
import { outboxLocation, OutboxRelayModule, outboxRelayOptions } from '@redpacket/outbox';
import { MetricsModule } from '@redpacket/observability';
import { CustomerAuthModule, HealthModule } from '@redpacket/platform';
import { ReadWalletController, WalletQueries } from '@redpacket/rewards';
import {
  customerAuthOptions,
  eventSignerFrom,
  orderAdmissionOptions,
  OrderServiceConfig,
} from './order-service.config';

/**
 * REST for orders (validated, idempotent, the customer from a verified token), plus read-only wallet views;
 * hosts the outbox relay and writes the monitor's probes (it alone may write order.purchased).
 * The wallet endpoints read the rewards schema: a documented read across the boundary, no writes.
 */
@Module({})
export class OrderServiceModule {
  static register(config: OrderServiceConfig): DynamicModule {
    return {
      module: OrderServiceModule,
      imports: [
        ConfigModule.forRoot({ configClass: OrderServiceConfig, loaded: config }),
        DatabaseModule.forRoot({ applicationName: 'order-service' }),
        KafkaModule,
        HealthModule,
        MetricsModule,
        CustomerAuthModule.forRoot(customerAuthOptions(config)),
        OrderingModule.forRoot({
          idempotencyKeyTtlSeconds: config.IDEMPOTENCY_KEY_TTL_SECONDS,
          idempotencyKeyPurgeIntervalMs: config.RETENTION_INTERVAL_MS,
          outbox: outboxLocation('ordering'),
          eventCarriesWalletVersion: config.ORDER_EVENT_CARRIES_WALLET_VERSION,
          admission: orderAdmissionOptions(config),
        }),
        // OrderPurchased rows, written in each order's transaction, signed and published by this app's relay.
        OutboxRelayModule.forRoot({ ...outboxRelayOptions(config, 'ordering'), signer: eventSignerFrom(config) }),
      ],
      controllers: [ReadWalletController, ProbesController],
      providers: [WalletQueries],
    };
  }
}

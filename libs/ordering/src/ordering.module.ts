import { type DynamicModule, Module } from '@nestjs/common';
import { OUTBOX_RELAY_OPTIONS, OutboxRelayService, type OutboxRelayServiceOptions } from '@redpacket/outbox';
import { READINESS_CHECK } from '@redpacket/platform';
import { ORDERING_OPTIONS, type OrderingOptions } from './ordering.options';
import { OrderAdmission } from './place-order/order-admission.service';
import { PlaceOrderController } from './place-order/place-order.controller';
import { PlaceOrderService } from './place-order/place-order.service';
import { OrdersQueries } from './read-orders/orders.queries';
import { ReadOrdersController } from './read-orders/read-orders.controller';
import { IdempotencyKeyPurger } from './idempotency/idempotency-key.purger';

@Module({})
export class OrderingModule {
  static forRoot(options: OrderingOptions, relay: OutboxRelayServiceOptions): DynamicModule {
    return {
      module: OrderingModule,
      controllers: [PlaceOrderController, ReadOrdersController],
      providers: [
        { provide: ORDERING_OPTIONS, useValue: options },
        { provide: OUTBOX_RELAY_OPTIONS, useValue: relay },
        PlaceOrderService,
        OrderAdmission,
        OrdersQueries,
        OutboxRelayService,
        { provide: READINESS_CHECK, useExisting: OutboxRelayService },
        IdempotencyKeyPurger,
      ],
      exports: [PlaceOrderService, OutboxRelayService],
    };
  }
}

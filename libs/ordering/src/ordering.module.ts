import { type DynamicModule, Module } from '@nestjs/common';
import { ORDERING_OPTIONS, type OrderingOptions } from './ordering.options';
import { OrderAdmission } from './place-order/order-admission.service';
import { PlaceOrderController } from './place-order/place-order.controller';
import { PlaceOrderService } from './place-order/place-order.service';
import { OrdersQueries } from './read-orders/orders.queries';
import { ReadOrdersController } from './read-orders/read-orders.controller';
import { IdempotencyKeyPurger } from './idempotency/idempotency-key.purger';

@Module({})
export class OrderingModule {
  /** The order path; the app hosts the ordering outbox's relay itself (OutboxRelayModule). */
  static forRoot(options: OrderingOptions): DynamicModule {
    return {
      module: OrderingModule,
      controllers: [PlaceOrderController, ReadOrdersController],
      providers: [
        { provide: ORDERING_OPTIONS, useValue: options },
        PlaceOrderService,
        OrderAdmission,
        OrdersQueries,
        IdempotencyKeyPurger,
      ],
      exports: [PlaceOrderService],
    };
  }
}

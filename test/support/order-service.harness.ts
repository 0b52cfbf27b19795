import { OutboxRelayService } from '@redpacket/outbox';
import { DataSource } from 'typeorm';
import { configureOrderService, ORDER_BODY_LIMIT_BYTES } from '../../apps/order-service/src/configure-order-service';
import { OrderServiceConfig } from '../../apps/order-service/src/order-service.config';
import { OrderServiceModule } from '../../apps/order-service/src/order-service.module';
import { bootInProcess, type InProcessApp } from './in-process-app';

export interface OrderServiceUnderTest extends InProcessApp {
  dataSource: DataSource;
  relay: OutboxRelayService;
}

/** The order service in this process, on the real database and broker. */
export async function startOrderService(env: Record<string, string>): Promise<OrderServiceUnderTest> {
  const booted = await bootInProcess(
    {
      name: 'order-service',
      config: OrderServiceConfig,
      module: (config) => OrderServiceModule.register(config),
      configure: configureOrderService,
      bodyLimitBytes: ORDER_BODY_LIMIT_BYTES,
    },
    env,
  );
  return { ...booted, dataSource: booted.app.get(DataSource), relay: booted.app.get(OutboxRelayService) };
}

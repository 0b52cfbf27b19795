import { SIGNED_EVENTS_ENV } from './event-keys';
import { OutboxRelayService } from '@redpacket/outbox';
import { DataSource } from 'typeorm';
import { configureOrderService, ORDER_BODY_LIMIT_BYTES } from '../../apps/order-service/src/configure-order-service';
import { OrderServiceConfig } from '../../apps/order-service/src/order-service.config';
import { OrderServiceModule } from '../../apps/order-service/src/order-service.module';
import { randomUUID } from 'node:crypto';
import { asCustomer } from './customer';
import { bootInProcess, type InjectedResponse, type InProcessApp } from './in-process-app';

export interface OrderServiceUnderTest extends InProcessApp {
  dataSource: DataSource;
  relay: OutboxRelayService;
  /**
   * POST /orders as `userId` (the token's subject; the body carries only the lines), with a fresh
   * Idempotency-Key unless one is given.
   */
  postOrder(
    order: { userId: string; items: object[] },
    options?: { key?: string; headers?: Record<string, string> },
  ): Promise<InjectedResponse>;
  /** A GET as `userId`. */
  getAs(userId: string, url: string): Promise<InjectedResponse>;
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
    {
      EVENT_SIGNING_KEY: SIGNED_EVENTS_ENV.EVENT_SIGNING_KEY,
      EVENT_SIGNING_KEY_ID: SIGNED_EVENTS_ENV.EVENT_SIGNING_KEY_ID,
      ...env,
    },
  );
  const relay = booted.app.get(OutboxRelayService);
  // The relay connects in the background; a test that drives it starts once it runs.
  if (relay.readiness().state === 'waiting-for-kafka') await relay.whenRunning();
  return {
    ...booted,
    dataSource: booted.app.get(DataSource),
    relay,
    postOrder: async ({ userId, items }, options = {}) =>
      booted.request({
        method: 'POST',
        url: '/orders',
        payload: { items },
        headers: { 'idempotency-key': options.key ?? randomUUID(), ...(await asCustomer(userId)), ...options.headers },
      }),
    getAs: async (userId, url) => booted.request({ method: 'GET', url, headers: await asCustomer(userId) }),
  };
}

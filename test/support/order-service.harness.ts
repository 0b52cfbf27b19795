import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type OutboxRelayService, OutboxRelayService as RelayToken } from '@redpacket/outbox';
import { createApp } from '@redpacket/platform';
import type { DataSource } from 'typeorm';
import { DataSource as DataSourceToken } from 'typeorm';
import { configureOrderService, ORDER_BODY_LIMIT_BYTES } from '../../apps/order-service/src/configure-order-service';
import { OrderServiceConfig } from '../../apps/order-service/src/order-service.config';
import { OrderServiceModule } from '../../apps/order-service/src/order-service.module';
import { withEnv } from './env';

export interface OrderServiceUnderTest {
  app: NestFastifyApplication;
  dataSource: DataSource;
  relay: OutboxRelayService;
  request(options: {
    method: 'GET' | 'POST';
    url: string;
    payload?: unknown;
    headers?: Record<string, string>;
  }): Promise<{ statusCode: number; headers: Record<string, unknown>; json<T = unknown>(): T; body: string }>;
  close(): Promise<void>;
}

/** The order service in this process, on the real database and broker, reachable without a port. */
export async function startOrderService(env: Record<string, string>): Promise<OrderServiceUnderTest> {
  const { app } = await withEnv({ LOG_LEVEL: 'warn', ...env }, () =>
    createApp({
      name: 'order-service',
      config: OrderServiceConfig,
      module: OrderServiceModule.register,
      configure: configureOrderService,
      bodyLimitBytes: ORDER_BODY_LIMIT_BYTES,
    }),
  );
  await app.init().catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const fastify = app.getHttpAdapter().getInstance();
  return {
    app,
    dataSource: app.get(DataSourceToken),
    relay: app.get(RelayToken),
    request: async ({ method, url, payload, headers }) => {
      const response = await fastify.inject({
        method,
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: typeof payload === 'string' ? payload : payload === undefined ? undefined : JSON.stringify(payload),
      });
      return {
        statusCode: response.statusCode,
        headers: response.headers,
        body: response.body,
        json: <T>() => response.json<T>(),
      };
    },
    close: () => app.close(),
  };
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, createValidationPipe } from '@redpacket/platform';
import { ReissueMissingService, RetentionService } from '@redpacket/reconciliation';
import { DataSource } from 'typeorm';
import { ReconcilerConfig } from '../../apps/reconciler/src/reconciler.config';
import { ReconcilerModule } from '../../apps/reconciler/src/reconciler.module';
import { withEnv } from './env';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface ReconcilerUnderTest {
  app: NestFastifyApplication;
  dataSource: DataSource;
  reconciliations: ReissueMissingService;
  retention: RetentionService;
  request(options: {
    method: 'GET' | 'POST';
    url: string;
    payload?: unknown;
    token?: string;
  }): Promise<{ statusCode: number; json<T = unknown>(): T }>;
  close(): Promise<void>;
}

/** Boots the reconciler app in this process: no schedule (tests trigger runs), no grace period. */
export async function startReconciler(env: Record<string, string>): Promise<ReconcilerUnderTest> {
  const { app } = await withEnv(
    {
      LOG_LEVEL: 'warn',
      RECONCILER_SCHEDULE_ENABLED: 'false',
      RECONCILER_GRACE_SECONDS: '0',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...env,
    },
    () =>
      createApp({
        name: 'reconciler',
        config: ReconcilerConfig,
        module: (c) => ReconcilerModule.register(c),
        configure: (a) => {
          a.useGlobalPipes(createValidationPipe());
        },
      }),
  );
  await app.init().catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const fastify = app.getHttpAdapter().getInstance();
  return {
    app,
    dataSource: app.get(DataSource),
    reconciliations: app.get(ReissueMissingService),
    retention: app.get(RetentionService),
    request: async ({ method, url, payload, token }) => {
      const response = await fastify.inject({
        method,
        url,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        payload: payload === undefined ? undefined : JSON.stringify(payload),
      });
      return { statusCode: response.statusCode, json: <T>() => response.json<T>() };
    },
    close: () => app.close(),
  };
}

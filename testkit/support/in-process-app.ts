import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { BaseConfig } from '@redpacket/config';
import { SystemTopicsBootstrap } from '@redpacket/kafka';
import { type AppDefinition, createApp } from '@redpacket/platform';
import { withEnv } from './env';

export interface InjectedRequest {
  method: 'GET' | 'POST';
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

export interface InjectedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
  json<T = unknown>(): T;
}

/** An app booted in this process on the real database and broker, reachable without a port. */
export interface InProcessApp {
  app: NestFastifyApplication;
  request(request: InjectedRequest): Promise<InjectedResponse>;
  close(): Promise<void>;
}

export async function bootInProcess<C extends BaseConfig>(
  definition: AppDefinition<C>,
  env: Record<string, string>,
): Promise<InProcessApp> {
  const { app } = await withEnv({ LOG_LEVEL: 'warn', ...env }, () => createApp(definition));
  await app.init().catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  // An app reaches Kafka in the background; a test on a running broker starts once its topics exist.
  await app.get(SystemTopicsBootstrap).whenEnsured();
  const fastify = app.getHttpAdapter().getInstance();
  return {
    app,
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

import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type BaseConfig, type ConfigClass, ConfigValidationError, loadConfig } from '@redpacket/config';
import { createJsonLogger } from '@redpacket/observability';
import { exitAfterClosing, onFatal } from './process/fatal';

export interface AppDefinition<C extends BaseConfig> {
  name: string;
  /** Builds the root module from the validated configuration. */
  module: (config: C) => DynamicModule;
  config: ConfigClass<C>;
  /** Extra setup before listening (OpenAPI, pipes, ...). */
  configure?: (app: NestFastifyApplication, config: C) => void | Promise<void>;
  bodyLimitBytes?: number;
}

/** Validates configuration, then builds the app: bad configuration never half-starts anything. */
export async function createApp<C extends BaseConfig>(
  definition: AppDefinition<C>,
): Promise<{ app: NestFastifyApplication; config: C }> {
  const config = loadConfig(definition.config);
  const logger = createJsonLogger(config.LOG_LEVEL);
  const app = await NestFactory.create<NestFastifyApplication>(
    definition.module(config),
    new FastifyAdapter({ bodyLimit: definition.bodyLimitBytes ?? 64 * 1024 }),
    { logger, bufferLogs: true, abortOnError: false },
  );
  app.useLogger(logger);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await definition.configure?.(app, config);
  return { app, config };
}

/** Entry point of every app's main.ts: boot, log one JSON line when listening, exit 1 on a boot failure. */
export async function runApp<C extends BaseConfig>(definition: AppDefinition<C>): Promise<INestApplication> {
  try {
    const { app, config } = await createApp(definition);
    onFatal(exitAfterClosing(() => app.close()));
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    createJsonLogger(config.LOG_LEVEL, definition.name).log('listening', { url: await app.getUrl(), pid: process.pid });
    return app;
  } catch (error) {
    const message = error instanceof ConfigValidationError ? error.message : (error as Error).stack;
    process.stderr.write(JSON.stringify({ level: 'fatal', context: definition.name, message }) + '\n');
    process.exit(1);
  }
}

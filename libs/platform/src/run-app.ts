import { type DynamicModule, Global, type INestApplication, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import { AdminScopeGuard } from './auth/admin-scope.guard';
import { RedpacketErrorFilter } from './http/redpacket-error.filter';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type BaseConfig,
  type ConfigClass,
  ConfigValidationError,
  databaseUsesTls,
  kafkaUsesTls,
  loadConfig,
  minInsyncReplicas,
} from '@redpacket/config';
import {
  createJsonLogger,
  logBootFailure,
  loggingModule,
  NativeLogger,
  requestId,
  startTracing,
  type Tracing,
} from '@redpacket/observability';
import { exitAfterClosing, onFatal } from '@redpacket/observability';

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
  const tracing = startTracing({
    serviceName: definition.name,
    exporter: config.TRACING_EXPORTER,
    file: config.TRACING_FILE,
    otlpUrl: config.TRACING_OTLP_URL,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    withPlatformModules(definition.module(config), config, tracing),
    new FastifyAdapter({ bodyLimit: definition.bodyLimitBytes ?? 64 * 1024, genReqId: requestId }),
    { logger, bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(NativeLogger));
  // Every response names its request: the id its log lines carry.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      done();
    });
  warnOfOverrides(config, app.get(NativeLogger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await definition.configure?.(app, config);
  return { app, config };
}

const TRACING = Symbol('TRACING');

/** Exports the spans still buffered once the app has closed: the last work before a SIGTERM is traced too. */
class TracingShutdown implements OnApplicationShutdown {
  constructor(private readonly tracing: Tracing) {}

  onApplicationShutdown(): Promise<void> {
    return this.tracing.shutdown();
  }
}

@Module({})
class PlatformHostModule {}

/** Global: Nest runs a global module's shutdown hooks after every other's, so the relay's last spans are in. */
@Global()
@Module({})
class TracingModule {}

@Module({})
class AdminScopeModule {}

@Module({})
class ErrorAnswersModule {}

/** The app's own module, with the logger (pino, per request) and the tracing shutdown every app shares. */
function withPlatformModules(root: DynamicModule, config: BaseConfig, tracing: Tracing): DynamicModule {
  return {
    module: PlatformHostModule,
    imports: [
      root,
      loggingModule(config.LOG_LEVEL),
      {
        module: TracingModule,
        providers: [{ provide: TRACING, useFactory: () => new TracingShutdown(tracing) }],
      },
      // Endpoints that name an admin scope take a credential holding it, in every app.
      { module: AdminScopeModule, providers: [{ provide: APP_GUARD, useClass: AdminScopeGuard }] },
      // The system's own errors answer with their status and code, in every app.
      { module: ErrorAnswersModule, providers: [{ provide: APP_FILTER, useClass: RedpacketErrorFilter }] },
    ],
  };
}

/** Entry point of every app's main.ts: boot, log one JSON line when listening, exit 1 on a boot failure. */
export async function runApp<C extends BaseConfig>(definition: AppDefinition<C>): Promise<INestApplication> {
  try {
    const { app, config } = await createApp(definition);
    onFatal(exitAfterClosing(() => app.close()));
    exitAtShutdownDeadline(config.SHUTDOWN_TIMEOUT_MS);
    await app.listen(config.HTTP_PORT, config.HTTP_HOST);
    app.get(NativeLogger).log('listening', { url: await app.getUrl() }, definition.name);
    return app;
  } catch (error) {
    const message = error instanceof ConfigValidationError ? error.message : (error as Error).stack;
    logBootFailure(definition.name, message ?? String(error));
    process.exit(1);
  }
}

/**
 * A signal starts a graceful close (Nest's shutdown hooks: stop consuming, commit what finished, drain the
 * relay); a close that outlives SHUTDOWN_TIMEOUT_MS (a broker that does not answer a commit or a leave)
 * ends in exit code 1, so a deploy or a supervisor never waits on it for ever.
 */
function exitAtShutdownDeadline(timeoutMs: number): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(
          `${JSON.stringify({ level: 'error', message: 'shutdown deadline passed; exiting', signal, timeoutMs })}\n`,
        );
        process.exit(1);
      }, timeoutMs).unref();
    });
  }
}

/** An explicit override of a production refusal is allowed, and said out loud at every boot. */
function warnOfOverrides(config: BaseConfig, logger: { warn(message: string, fields: object): void }): void {
  if (config.NODE_ENV !== 'production') return;
  if (config.KAFKA_ALLOW_PLAINTEXT && !kafkaUsesTls(config)) {
    logger.warn('KAFKA_ALLOW_PLAINTEXT: Kafka is reached without TLS', {});
  }
  if (config.DATABASE_ALLOW_PLAINTEXT && !databaseUsesTls(config.DATABASE_URL)) {
    logger.warn('DATABASE_ALLOW_PLAINTEXT: the database is reached without TLS', {});
  }
  if (!config.KAFKA_ALLOW_WEAK_DURABILITY) return;
  const replicas = { replicationFactor: config.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: minInsyncReplicas(config) };
  if (replicas.replicationFactor < 3 || replicas.minInsyncReplicas < 2) {
    logger.warn('KAFKA_ALLOW_WEAK_DURABILITY: an acknowledged event may live on fewer than two disks', replicas);
  }
}

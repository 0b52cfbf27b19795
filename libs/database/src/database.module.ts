import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { BaseConfig } from '@redpacket/config';
import type { PoolClient } from 'pg';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { postgresDataSourceOptions } from './data-source-options';
import { poolOf } from './sql';
import { TransactionRunner } from './transaction-runner';

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * node-postgres emits 'error' on a client whose connection dies while no query runs on it (the
 * server restarted or terminated it), and an 'error' event nobody listens to ends the process.
 * The pool and TypeORM listen at most moments, not all. Every pooled client gets a listener that
 * logs: the query in flight, if any, still fails with the error, and the pool drops the client.
 */
function logLostConnections(dataSource: DataSource): void {
  const logger = new Logger('Database');
  poolOf(dataSource).on('connect', (client: PoolClient) => {
    client.on('error', (error) => logger.warn('database connection lost', { error: error.message }));
  });
}

export interface DatabaseModuleOptions {
  /** What Postgres shows in `pg_stat_activity.application_name` for this app's connections. */
  applicationName: string;
  /** TypeORM entities, when an app maps any (the apps here speak SQL through repositories). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
}

@Module({})
export class DatabaseModule {
  static forRoot({ applicationName, entities = [] }: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          inject: [BaseConfig],
          useFactory: async (config: BaseConfig) => {
            const dataSource = await new DataSource(
              postgresDataSourceOptions({
                url: config.DATABASE_URL,
                poolSize: config.DATABASE_POOL_SIZE,
                entities,
                applicationName,
              }),
            ).initialize();
            logLostConnections(dataSource);
            return dataSource;
          },
        },
        DataSourceCloser,
        TransactionRunner,
      ],
      exports: [DataSource, TransactionRunner],
    };
  }
}

import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { allMigrations } from '../../../migrations';
import { TypeOrmThroughAppLogger } from './typeorm-logger';

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  applicationName?: string;
}

/** The same options serve the apps and the migration CLI; the schema only ever changes through migrations. */
export function postgresDataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: options.entities ?? [],
    migrations: allMigrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // Through the app's logger, never the console, and never a query's parameters.
    logger: new TypeOrmThroughAppLogger(),
    logging: ['error', 'warn', 'migration'],
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'redpacket',
      connectionTimeoutMillis: 5_000,
    },
  };
}

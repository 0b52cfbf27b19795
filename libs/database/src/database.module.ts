import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { BaseConfig } from '@redpacket/config';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { postgresDataSourceOptions } from './data-source-options';
import { TransactionRunner } from './transaction-runner';

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Module({})
export class DatabaseModule {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static forRoot(entities: MixedList<Function | string | EntitySchema>, applicationName: string): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          inject: [BaseConfig],
          useFactory: (config: BaseConfig) =>
            new DataSource(
              postgresDataSourceOptions({
                url: config.DATABASE_URL,
                poolSize: config.DATABASE_POOL_SIZE,
                entities,
                applicationName,
              }),
            ).initialize(),
        },
        DataSourceCloser,
        TransactionRunner,
      ],
      exports: [DataSource, TransactionRunner],
    };
  }
}

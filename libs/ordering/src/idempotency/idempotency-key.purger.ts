import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ORDERING_OPTIONS, type OrderingOptions } from '../ordering.options';
import { IdempotencyKeyStore } from './idempotency-key.store';

/** Deletes expired idempotency keys on an interval, in small batches. */
@Injectable()
export class IdempotencyKeyPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeyPurger.name);
  private readonly keys = new IdempotencyKeyStore();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ORDERING_OPTIONS) private readonly options: OrderingOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), this.options.idempotencyKeyPurgeIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<number> {
    try {
      const deleted = await this.keys.purgeExpired(this.dataSource.manager);
      if (deleted > 0) this.logger.log('purged expired idempotency keys', { deleted });
      return deleted;
    } catch (error) {
      this.logger.warn('idempotency key purge failed; will retry', { error: (error as Error).message });
      return 0;
    }
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * The one ambient-transaction helper. Code that must share the caller's transaction
 * (the outbox writer above all) asks for `requireTransaction()` instead of taking a manager argument,
 * so it cannot silently run in a transaction of its own.
 */
@Injectable()
export class TransactionRunner {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction; a nested call joins the transaction already open. */
  run<T>(work: (manager: EntityManager) => Promise<T>, isolation: IsolationLevel = 'READ COMMITTED'): Promise<T> {
    const current = this.storage.getStore();
    if (current) return work(current);
    return this.dataSource.transaction(isolation, (manager) => this.storage.run(manager, () => work(manager)));
  }

  /** The open transaction's manager, or the pool's manager outside any transaction. */
  get manager(): EntityManager {
    return this.storage.getStore() ?? this.dataSource.manager;
  }

  /** The open transaction's manager, if this code runs inside `run(...)`. */
  get openTransaction(): EntityManager | undefined {
    return this.storage.getStore();
  }

  requireTransaction(): EntityManager {
    const manager = this.storage.getStore();
    if (!manager) throw new Error('This write must happen inside TransactionRunner.run(...)');
    return manager;
  }
}

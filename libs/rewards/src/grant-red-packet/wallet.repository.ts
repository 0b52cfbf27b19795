import { execute } from '@redpacket/database';
import type { EntityManager } from 'typeorm';

/** Thrown inside a grant transaction when the version check lost: the whole transaction is retried. */
export class OptimisticConflict extends Error {
  readonly code = 'OPTIMISTIC_CONFLICT';
  readonly retriable = true;

  constructor(userId: string) {
    super(`wallet of ${userId} changed concurrently`);
  }
}

export interface WalletState {
  balanceCents: bigint;
  version: bigint;
}

/**
 * Wallet writes with an optimistic lock. TypeORM's @VersionColumn does not guard an UPDATE by itself,
 * so the guard is written out: `WHERE version = $read`, and zero rows updated means someone else won.
 */
export class WalletRepository {
  /** Creates the wallet on first use; concurrent first grants cannot both create it (primary key). */
  async ensureWallet(manager: EntityManager, userId: string): Promise<void> {
    await manager.query('INSERT INTO rewards.wallets (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [userId]);
  }

  async read(manager: EntityManager, userId: string): Promise<WalletState> {
    const [row] = await manager.query<{ balance_cents: string; version: string }[]>(
      'SELECT balance_cents, version FROM rewards.wallets WHERE user_id = $1',
      [userId],
    );
    if (!row) throw new Error(`wallet of ${userId} does not exist`);
    return { balanceCents: BigInt(row.balance_cents), version: BigInt(row.version) };
  }

  /** Credits if the wallet is still at `expectedVersion`; returns false when it is not. */
  async creditIfVersion(
    manager: EntityManager,
    userId: string,
    amountCents: number,
    expectedVersion: bigint,
  ): Promise<boolean> {
    const updated = await execute(
      manager,
      `UPDATE rewards.wallets
          SET balance_cents = balance_cents + $2, version = version + 1, updated_at = now()
        WHERE user_id = $1 AND version = $3`,
      [userId, amountCents, expectedVersion.toString()],
    );
    return updated === 1;
  }

  /** Read, then guarded update; throws OptimisticConflict so the caller retries its whole transaction. */
  async credit(manager: EntityManager, userId: string, amountCents: number): Promise<void> {
    await this.ensureWallet(manager, userId);
    const { version } = await this.read(manager, userId);
    if (!(await this.creditIfVersion(manager, userId, amountCents, version))) throw new OptimisticConflict(userId);
  }
}

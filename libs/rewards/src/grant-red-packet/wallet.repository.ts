import { Injectable } from '@nestjs/common';
import { execute } from '@redpacket/database';
import type { EntityManager } from 'typeorm';
import { OptimisticConflict } from './grant.errors';

export interface WalletState {
  balanceCents: bigint;
  version: bigint;
}

/**
 * Wallet writes with an optimistic lock. TypeORM's @VersionColumn does not guard an UPDATE by itself,
 * so the guard is written out: `WHERE version = $read`, and zero rows updated means someone else won.
 */
@Injectable()
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

  /**
   * `credit` for several wallets at once, amounts by user id: read every version, create the missing wallets
   * (then read theirs), one guarded UPDATE. Creating only the missing ones keeps the common case at two
   * statements, and keeps the race on the version check, where a loser retries, rather than on an INSERT.
   */
  async creditMany(manager: EntityManager, amountsByUser: Map<string, number>): Promise<void> {
    const userIds = [...amountsByUser.keys()].sort();
    if (userIds.length === 0) return;
    const versions = await this.readVersions(manager, userIds);
    const missing = userIds.filter((userId) => !versions.has(userId));
    if (missing.length > 0) {
      await this.ensureWallets(manager, missing);
      for (const [userId, version] of await this.readVersions(manager, missing)) versions.set(userId, version);
    }
    const credits = userIds.map((userId) => ({ userId, amountCents: amountsByUser.get(userId) ?? 0 }));
    const lost = await this.creditManyIfVersions(manager, credits, versions);
    if (lost.length > 0) throw new OptimisticConflict(lost[0]);
  }

  /** Sorted, so that concurrent batches creating the same new wallets wait on each other in one order. */
  private async ensureWallets(manager: EntityManager, sortedUserIds: string[]): Promise<void> {
    await manager.query(
      `INSERT INTO rewards.wallets (user_id) SELECT user_id FROM unnest($1::text[]) AS u(user_id) ORDER BY user_id
       ON CONFLICT (user_id) DO NOTHING`,
      [sortedUserIds],
    );
  }

  private async readVersions(manager: EntityManager, userIds: string[]): Promise<Map<string, bigint>> {
    const rows = await manager.query<{ user_id: string; version: string }[]>(
      'SELECT user_id, version FROM rewards.wallets WHERE user_id = ANY($1::text[])',
      [userIds],
    );
    return new Map(rows.map((row) => [row.user_id, BigInt(row.version)]));
  }

  /**
   * One UPDATE crediting every wallet still at the version read; returns the users whose wallet had moved.
   * Each wallet's version goes up by one per batch, however many of its packets the batch holds.
   */
  private async creditManyIfVersions(
    manager: EntityManager,
    credits: { userId: string; amountCents: number }[],
    versions: Map<string, bigint>,
  ): Promise<string[]> {
    const [rows] = await manager.query<[{ user_id: string }[], number]>(
      `UPDATE rewards.wallets w
          SET balance_cents = w.balance_cents + v.amount, version = w.version + 1, updated_at = now()
         FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(user_id, amount, expected)
        WHERE w.user_id = v.user_id AND w.version = v.expected
       RETURNING w.user_id`,
      [
        credits.map((c) => c.userId),
        credits.map((c) => c.amountCents),
        credits.map((c) => (versions.get(c.userId) ?? -1n).toString()),
      ],
    );
    const credited = new Set(rows.map((row) => row.user_id));
    return credits.map((c) => c.userId).filter((userId) => !credited.has(userId));
  }
}

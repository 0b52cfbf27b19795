import { deleteInBatches } from '@redpacket/database';
import type { EntityManager } from 'typeorm';

export interface StoredResponse {
  status: number;
  body: object;
}

/** A key as a customer chose it: unique per customer, not across them. */
export interface ScopedKey {
  userId: string;
  key: string;
}

export interface IdempotencyRecord extends StoredResponse {
  requestHash: string;
}

/**
 * Idempotency keys live in the same transaction as the order they produced: the key, the order and
 * its outbox event commit together or not at all. A transaction-scoped advisory lock on the key
 * tells a concurrent duplicate "in flight" at once instead of making it wait.
 */
export class IdempotencyKeyStore {
  /** False when another transaction holds this key right now. */
  async tryLock(manager: EntityManager, { userId, key }: ScopedKey): Promise<boolean> {
    const [row] = await manager.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock(hashtextextended('idempotency:' || $1 || ':' || $2, 0)) AS locked`,
      [userId, key],
    );
    return row.locked;
  }

  /** The live record for the key; an expired one is deleted so the key can be used afresh. */
  async find(manager: EntityManager, { userId, key }: ScopedKey): Promise<IdempotencyRecord | undefined> {
    const [row] = await manager.query<
      { request_hash: string; response_status: number; response_body: object; expired: boolean }[]
    >(
      `SELECT request_hash, response_status, response_body, expires_at <= now() AS expired
         FROM ordering.idempotency_keys WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, key],
    );
    if (!row) return undefined;
    if (row.expired) {
      await manager.query('DELETE FROM ordering.idempotency_keys WHERE user_id = $1 AND idempotency_key = $2', [
        userId,
        key,
      ]);
      return undefined;
    }
    return { requestHash: row.request_hash, status: row.response_status, body: row.response_body };
  }

  async save(manager: EntityManager, scoped: ScopedKey, record: IdempotencyRecord, ttlSeconds: number): Promise<void> {
    await manager.query(
      `INSERT INTO ordering.idempotency_keys
              (user_id, idempotency_key, request_hash, response_status, response_body, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [scoped.userId, scoped.key, record.requestHash, record.status, JSON.stringify(record.body), ttlSeconds],
    );
  }

  /** Removes expired keys in small batches; returns how many. */
  purgeExpired(manager: EntityManager, batchSize = 1_000): Promise<number> {
    return deleteInBatches(
      manager,
      `DELETE FROM ordering.idempotency_keys WHERE (user_id, idempotency_key) IN (
         SELECT user_id, idempotency_key FROM ordering.idempotency_keys WHERE expires_at <= now() LIMIT $1)`,
      [],
      batchSize,
    );
  }
}

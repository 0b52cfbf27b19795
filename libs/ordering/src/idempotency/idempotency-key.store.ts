import { deleteInBatches } from '@redpacket/database';
import type { EntityManager } from 'typeorm';

export interface StoredResponse {
  status: number;
  body: object;
}

/**
 * Idempotency keys live in the same transaction as the order they produced (`ordering.place_order`): the
 * key, the order and its outbox event commit together or not at all. Expired keys are purged here.
 */
export class IdempotencyKeyStore {
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

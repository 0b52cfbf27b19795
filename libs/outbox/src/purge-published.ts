import { deleteInBatches } from '@redpacket/database';
import type { DataSource, EntityManager } from 'typeorm';

/** Deletes an outbox's published rows older than the retention, a small batch at a time. */
export function purgePublishedOutbox(
  db: DataSource | EntityManager,
  table: string,
  olderThanSeconds: number,
  batchSize = 1_000,
): Promise<number> {
  return deleteInBatches(
    db,
    `DELETE FROM ${table} WHERE id IN (
       SELECT id FROM ${table} WHERE published_at < now() - make_interval(secs => $1) LIMIT $2)`,
    [olderThanSeconds],
    batchSize,
  );
}

import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs an UPDATE or DELETE and returns the number of rows it touched. (For these statements
 * TypeORM's postgres driver returns `[rows, rowCount]` rather than the rows.)
 */
export async function execute(
  db: EntityManager | DataSource,
  sql: string,
  parameters: unknown[] = [],
): Promise<number> {
  const [, rowCount] = await db.query<[unknown[], number]>(sql, parameters);
  return rowCount;
}

/** Deletes in batches of `batchSize` until a batch comes back short: never one long lock on a hot table. */
export async function deleteInBatches(
  db: EntityManager | DataSource,
  deleteBatchSql: string,
  parameters: unknown[],
  batchSize: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await execute(db, deleteBatchSql, [...parameters, batchSize]);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

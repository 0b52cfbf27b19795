import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

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

/**
 * Runs a named statement straight on the pool: node-postgres prepares it once per connection (parse and
 * plan), and every later call is one Bind/Execute round trip. Sent outside any transaction, one statement
 * is its own transaction, so a server-side function called this way commits with no BEGIN or COMMIT.
 */
export async function queryPrepared<T extends object>(
  dataSource: DataSource,
  statement: { name: string; text: string },
  values: unknown[],
): Promise<T[]> {
  const result = await poolOf(dataSource).query<T>({ ...statement, values });
  return result.rows;
}

/** The node-postgres pool under a TypeORM data source. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/**
 * `SELECT 1` within `timeoutMs`. Past it node-postgres gives the query up and the pool closes the
 * connection it ran on, so a database that stopped answering keeps nothing of the ping waiting (a ping
 * that is still waiting for a connection gives up with the pool's connect timeout).
 */
export async function pingDatabase(dataSource: DataSource, timeoutMs: number): Promise<void> {
  // node-postgres's per-query read timeout; its type declarations leave the option out.
  const ping = { text: 'SELECT 1', query_timeout: timeoutMs };
  await poolOf(dataSource).query(ping);
}

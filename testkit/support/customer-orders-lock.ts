import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { pollUntil } from '../infra/process-utils';

/** The lock `ordering.place_order` takes so that a customer's orders are placed one at a time. */
const ORDERS_LOCK_KEY = `hashtextextended('orders-of:' || $1, 0)`;

export interface HeldOrdersLock {
  /** Waits until at least `count` statements wait for the lock, each on a connection of the app. */
  waitForWaiting(count: number): Promise<void>;
  release(): Promise<void>;
}

/**
 * Holds a customer's orders lock on a connection of its own (not the app's pool): their orders then
 * wait for it inside Postgres, each holding a pooled connection, as behind a slow order of theirs.
 */
export async function holdOrdersLockOf(userId: string): Promise<HeldOrdersLock> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT pg_advisory_xact_lock(${ORDERS_LOCK_KEY})`, [userId]);
  const waiting = async () => {
    const { rows } = await client.query<{ waiting: string }>(
      `SELECT count(*) AS waiting FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted AND ((classid::bigint << 32) | objid::bigint) = ${ORDERS_LOCK_KEY}`,
      [userId],
    );
    return Number(rows[0].waiting);
  };
  return {
    waitForWaiting: async (count) => {
      await pollUntil(
        `${count} orders of ${userId} waiting for their lock`,
        async () => ((await waiting()) >= count ? true : undefined),
        { timeoutMs: 10_000, intervalMs: 20 },
      );
    },
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Orders in the database of these customers. */
export async function ordersOf(dataSource: DataSource, userIds: string[]): Promise<number> {
  const [row] = await dataSource.query<{ n: string }[]>(
    'SELECT count(*) AS n FROM ordering.orders WHERE user_id = ANY($1)',
    [userIds],
  );
  return Number(row.n);
}

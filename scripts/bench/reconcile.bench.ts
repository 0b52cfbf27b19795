import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@redpacket/config';
import { runMigrations } from '@redpacket/database';
import { createJsonLogger } from '@redpacket/observability';
import { ReissueMissingService } from '@redpacket/reconciliation';
import { DataSource } from 'typeorm';
import { ReconcilerConfig } from '../../apps/reconciler/src/reconciler.config';
import { ReconcilerModule } from '../../apps/reconciler/src/reconciler.module';
import { reconcilerDatabaseUrl } from '../../testkit/support/reconciler.harness';
import { createDatabase, databaseUrlFor, dropDatabase } from '../../testkit/support/test-database';
import type { BenchContext } from './bench-context';
import type { BenchOptions } from './bench-options';
import { log, median } from './stats';

/** New orders between two scheduled runs; of them, this many lost their event and are reissued. */
export const NEW_ORDERS = 1_000;
export const LOST_EVENTS = 10;

export interface ReconcileSizeResult {
  historyOrders: number;
  /** One full scan of everything (it also sets the high-water mark the incremental runs start from). */
  fullScanMs: number;
  /** Median time of a scheduled (incremental) run after NEW_ORDERS new orders. */
  incrementalMs: number;
  incrementalRunsMs: number[];
  scanned: number;
  reissued: number;
}

export interface ReconcileResult {
  newOrders: number;
  lostEvents: number;
  sizes: ReconcileSizeResult[];
}

/**
 * A scheduled reconciliation run's time against the size of history: for each size, a database of its own
 * holding that many decided orders (with their packets and wallets) placed over the last 90 days, one full
 * scan, then `runs` rounds of NEW_ORDERS new orders followed by one incremental run, timed.
 */
export async function benchReconcile(context: BenchContext, options: BenchOptions): Promise<ReconcileResult> {
  const sizes: ReconcileSizeResult[] = [];
  for (const historyOrders of options.reconcileHistory) sizes.push(await measureSize(context, options, historyOrders));
  return { newOrders: NEW_ORDERS, lostEvents: LOST_EVENTS, sizes };
}

async function measureSize(
  context: BenchContext,
  options: BenchOptions,
  historyOrders: number,
): Promise<ReconcileSizeResult> {
  const database = `${context.database}_recon_${historyOrders}`;
  await createDatabase(context.serverUrl, database);
  const url = databaseUrlFor(context.serverUrl, database);
  const owner = new DataSource({ type: 'postgres', url, poolSize: 2 });
  try {
    await runMigrations(url);
    await owner.initialize();
    log(`reconcile: seeding ${historyOrders} orders of history`);
    await seedHistory(owner, historyOrders);
    const reconciler = await startReconciler(url, context.database);
    try {
      const service = reconciler.get(ReissueMissingService);
      const fullStarted = performance.now();
      await service.run({ trigger: 'cli', scan: 'full' });
      const fullScanMs = performance.now() - fullStarted;
      const incrementalRunsMs: number[] = [];
      let last = { scanned: 0, reissued: 0 };
      for (let run = 0; run < options.runs; run++) {
        await placeNewOrders(owner, `${run}`);
        const started = performance.now();
        const report = await service.run({ trigger: 'schedule', scan: 'incremental' });
        incrementalRunsMs.push(performance.now() - started);
        last = { scanned: report.scanned, reissued: report.reissued };
        if (report.reissued !== LOST_EVENTS) {
          throw new Error(`an incremental run reissued ${report.reissued} orders, expected ${LOST_EVENTS}`);
        }
      }
      const result = {
        historyOrders,
        fullScanMs,
        incrementalMs: median(incrementalRunsMs),
        incrementalRunsMs,
        ...last,
      };
      log(
        `reconcile: ${historyOrders} orders of history: full ${Math.round(fullScanMs)} ms, incremental ${Math.round(result.incrementalMs)} ms`,
      );
      return result;
    } finally {
      await reconciler.close();
    }
  } finally {
    if (owner.isInitialized) await owner.destroy();
    await dropDatabase(context.serverUrl, database);
  }
}

/** The reconciler app without HTTP or schedule, as its own role, in this process. */
async function startReconciler(url: string, namespace: string) {
  const config = loadConfig(ReconcilerConfig, {
    ...process.env,
    DATABASE_URL: reconcilerDatabaseUrl(url),
    KAFKA_NAMESPACE: `${namespace}-recon`,
    RECONCILER_SCHEDULE_ENABLED: 'false',
    RECONCILER_GRACE_SECONDS: '0',
    LOG_LEVEL: 'warn',
  });
  return NestFactory.createApplicationContext(ReconcilerModule.register(config), {
    logger: createJsonLogger(config.LOG_LEVEL),
  });
}

/**
 * History as the event path leaves it: every order decided (3-item orders granted 5.00, 2-item ones not),
 * packets, and wallets equal to their packets, all at least an hour old. Written in bulk by SQL.
 */
async function seedHistory(db: DataSource, orders: number): Promise<void> {
  await db.query(
    `INSERT INTO ordering.orders (order_id, user_id, item_count, total_cents, status, created_at)
     SELECT gen_random_uuid(), 'history-' || (i % 20000), 2 + (i % 2), 10000, 'PLACED',
            now() - interval '1 hour' - make_interval(secs => i * (90 * 86400.0 / $1))
       FROM generate_series(1, $1) AS i`,
    [orders],
  );
  await decideAll(db, 'history-%');
  await db.query(
    `INSERT INTO rewards.wallets (user_id, balance_cents, version, updated_at)
     SELECT user_id, sum(amount_cents), count(*), max(granted_at) FROM rewards.red_packets GROUP BY user_id`,
  );
  // As a table looks after autovacuum has been by: hint bits set and the visibility map current.
  await db.query('VACUUM ANALYZE');
}

/** NEW_ORDERS fresh orders: all decided by the event path but LOST_EVENTS qualifying ones. */
async function placeNewOrders(db: DataSource, round: string): Promise<void> {
  const prefix = `new-${round}-`;
  await db.query(
    `INSERT INTO ordering.orders (order_id, user_id, item_count, total_cents, status, created_at)
     SELECT gen_random_uuid(), $1 || i, CASE WHEN i <= $3 THEN 3 ELSE 2 + (i % 2) END, 10000, 'PLACED',
            now() - interval '1 second'
       FROM generate_series(1, $2) AS i`,
    [prefix, NEW_ORDERS, LOST_EVENTS],
  );
  const lost = Array.from({ length: LOST_EVENTS }, (_, i) => `${prefix}${i + 1}`);
  await decideAll(db, `${prefix}%`, lost);
  await db.query(
    `INSERT INTO rewards.wallets (user_id, balance_cents, version, updated_at)
     SELECT user_id, sum(amount_cents), count(*), now() FROM rewards.red_packets WHERE user_id LIKE $1 GROUP BY user_id`,
    [`${prefix}%`],
  );
}

/** Decisions and packets for the orders of the matching users, but those of `lost` (their events never came). */
async function decideAll(db: DataSource, users: string, lost: string[] = []): Promise<void> {
  await db.query(
    `INSERT INTO rewards.reward_decisions
            (order_id, user_id, outcome, rule_version, amount_cents, item_count, total_cents, order_placed_at, source,
             decided_at)
     SELECT order_id, user_id, CASE WHEN item_count >= 3 THEN 'granted' ELSE 'ineligible' END, 1,
            CASE WHEN item_count >= 3 THEN 500 ELSE 0 END, item_count, total_cents,
            date_trunc('milliseconds', created_at), 'event', created_at
       FROM ordering.orders WHERE user_id LIKE $1 AND user_id <> ALL($2::text[])`,
    [users, lost],
  );
  await db.query(
    `INSERT INTO rewards.red_packets (packet_id, order_id, user_id, amount_cents, source, granted_at)
     SELECT gen_random_uuid(), order_id, user_id, amount_cents, 'event', decided_at
       FROM rewards.reward_decisions WHERE outcome = 'granted' AND user_id LIKE $1`,
    [users],
  );
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { runMigrations } from '@redpacket/database';
import type { GrantStrategyName } from '@redpacket/rewards';
import { DataSource } from 'typeorm';
import { SystemUnderTest } from '../../testkit/system/system';
import { pollUntil } from '../../testkit/infra/process-utils';
import { createDatabase, databaseUrlFor, dropDatabase } from '../../testkit/support/test-database';
import type { Infrastructure } from '../../testkit/infra/infra.types';
import { exportInfrastructureEnv, provisionInfrastructure, REPO_ROOT } from '../../testkit/infra/provision';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../testkit/infra/local-postgres';
import { log } from './stats';

/** What every measurement shares: the stack, one throw-away database, and the systems it started. */
export interface BenchContext {
  infra: Infrastructure;
  serverUrl: string;
  database: string;
  databaseUrl: string;
  dataSource: DataSource;
  systems: Set<SystemUnderTest>;
  /** The bench's own cluster, when it runs on one (`--own-postgres`). */
  ownPostgres?: ThrowawayPostgres;
}

const OWN_POSTGRES_PORT = 55433;
/**
 * The bench's own cluster: durable as a production one (fsync on), pg_stat_statements loaded so every
 * load's statements are counted, and logical WAL so a change-data-capture relay can read the outbox.
 */
export const OWN_POSTGRES_SETTINGS = {
  fsync: 'on',
  shared_preload_libraries: 'pg_stat_statements',
  wal_level: 'logical',
  max_wal_senders: '4',
  max_replication_slots: '4',
};

/** Reuses the running stack (or provisions one), then creates and migrates a database of the bench's own. */
export async function openBenchContext(options: { ownPostgres: boolean }): Promise<BenchContext> {
  const ownPostgres = options.ownPostgres ? await startOwnPostgres() : undefined;
  const provisioned = await provisionInfrastructure({ log: (message) => log(`[infra] ${message}`) });
  // A stack left up by infra:up brings its own database URL; the bench's own cluster replaces it.
  const infra = ownPostgres ? { ...provisioned, databaseUrl: ownPostgres.url } : provisioned;
  const database = `redpacket_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await createDatabase(infra.databaseUrl, database);
  const databaseUrl = databaseUrlFor(infra.databaseUrl, database);
  const context: BenchContext = {
    infra,
    serverUrl: infra.databaseUrl,
    database,
    databaseUrl,
    dataSource: new DataSource({ type: 'postgres', url: databaseUrl, poolSize: 10 }),
    systems: new Set(),
    ownPostgres,
  };
  try {
    await runMigrations(databaseUrl);
    // Spawned apps and the e2e harness read these, as under jest's global setup.
    exportInfrastructureEnv(infra, databaseUrl);
    // The apps verify customer tokens with it; the load generators sign with it.
    process.env.AUTH_JWT_SECRET ??= randomBytes(32).toString('hex');
    await context.dataSource.initialize();
  } catch (error) {
    await closeBenchContext(context);
    throw error;
  }
  log(`${infra.mode} stack: kafka ${infra.kafkaBrokers.join(',')}, database ${database}`);
  return context;
}

/** Stops every app still running, drops the database, releases what provisioning started. */
export async function closeBenchContext(context: BenchContext): Promise<void> {
  for (const system of context.systems) await stopSystem(context, system);
  if (context.dataSource.isInitialized) await context.dataSource.destroy();
  await dropDatabase(context.serverUrl, context.database);
  await context.infra.stop();
  log(`dropped database ${context.database}`);
  await context.ownPostgres?.stop();
}

/**
 * Runs `work` against a fresh system: its own topic namespace (new topics, new consumer group),
 * empty tables, and every app it starts killed afterwards, whatever happened.
 */
export async function withSystem<T>(
  context: BenchContext,
  strategy: GrantStrategyName,
  work: (system: SystemUnderTest) => Promise<T>,
): Promise<T> {
  const system = new SystemUnderTest(strategy);
  context.systems.add(system);
  try {
    await system.start();
    await truncateAll(context.dataSource);
    return await work(system);
  } finally {
    await stopSystem(context, system);
  }
}

async function stopSystem(context: BenchContext, system: SystemUnderTest): Promise<void> {
  if (!context.systems.delete(system)) return;
  await Promise.all(system.apps.map((app) => app.process.kill('SIGKILL')));
  // Topics of a finished run are only clutter on a shared broker; a failure to delete them is not a failed bench.
  await system.admin
    .deleteTopics({
      topics: [system.topic, system.deadLetterTopic, namespaced(system.namespace, TOPICS.redPacketGranted)],
    })
    .catch((error: Error) => log(`could not delete the topics of ${system.namespace}: ${error.message}`));
  await system.stop();
}

/**
 * Empties every table the measurements write. Waits first until no other session of the bench
 * database is inside a statement or a transaction: a request autocannon abandoned at the end of its
 * duration is still committing, and TRUNCATE racing it deadlocks.
 */
export async function truncateAll(dataSource: DataSource): Promise<void> {
  await pollUntil('the bench database to be quiet', () => databaseIsQuiet(dataSource), {
    timeoutMs: 30_000,
    intervalMs: 20,
  });
  await dataSource.query(
    `TRUNCATE ordering.order_items, ordering.orders, ordering.idempotency_keys, ordering.outbox,
              rewards.processed_messages, rewards.red_packets, rewards.wallets, rewards.outbox`,
  );
}

async function databaseIsQuiet(dataSource: DataSource): Promise<true | undefined> {
  const [row] = await dataSource.query<{ busy: string }[]>(
    `SELECT count(*) AS busy FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')`,
  );
  return Number(row.busy) === 0 ? true : undefined;
}

/** Starts the bench's own cluster; the stack's provisioning then uses it as the database server. */
async function startOwnPostgres(): Promise<ThrowawayPostgres> {
  const postgres = await startThrowawayPostgres(join(REPO_ROOT, '.infra', 'bench-postgres'), {
    port: OWN_POSTGRES_PORT,
    settings: OWN_POSTGRES_SETTINGS,
  });
  process.env.DATABASE_URL = postgres.url;
  log(
    `own Postgres cluster at ${postgres.url} (${Object.entries(OWN_POSTGRES_SETTINGS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')})`,
  );
  return postgres;
}

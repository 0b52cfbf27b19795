import { randomBytes } from 'node:crypto';
import { runMigrations } from '@redpacket/database';
import type { Infrastructure } from '../infra/infra.types';
import { exportInfrastructureEnv, provisionInfrastructure } from '../infra/provision';
import { createDatabase, databaseUrlFor } from './test-database';

export interface TestRun {
  infra: Infrastructure;
  serverUrl: string;
  database: string;
}

declare global {
  var redpacketTestRun: TestRun | undefined;
}

/**
 * Once per jest run (shared by the integration and e2e projects): real Kafka and Postgres,
 * and a fresh database migrated once. Workers inherit the environment set here.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.redpacketTestRun) return;
  const infra = await provisionInfrastructure({ log: (m) => process.stdout.write(`\n[infra] ${m}`) });
  const database = `redpacket_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await createDatabase(infra.databaseUrl, database);
  const url = databaseUrlFor(infra.databaseUrl, database);
  await runMigrations(url);
  process.env.TEST_SERVER_DATABASE_URL = infra.databaseUrl;
  // In-process pieces and helpers act as the broker's super user; the e2e system runs each app as its own.
  exportInfrastructureEnv(infra, url);
  process.env.NODE_ENV = 'test';
  // Customer tokens of the run are signed with this; every app started by a test verifies with it.
  process.env.AUTH_JWT_SECRET ??= randomBytes(32).toString('hex');
  globalThis.redpacketTestRun = { infra, serverUrl: infra.databaseUrl, database };
  process.stdout.write(`\n[infra] ${infra.mode}: kafka ${infra.kafkaBrokers.join(',')}, database ${database}\n`);
}

import { runMigrations } from '@redpacket/database';
import { Client } from 'pg';

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function createDatabase(serverUrl: string, database: string): Promise<void> {
  return onServer(serverUrl, async (client) => {
    await client.query(`CREATE DATABASE "${database}"`);
  });
}

export function dropDatabase(serverUrl: string, database: string): Promise<void> {
  return onServer(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });
}

/**
 * A database of the test's own, migrated, next to the run's shared one: for tests that change what is global
 * to a database (the reward rule timeline). `drop` removes it.
 */
export async function createMigratedDatabase(suffix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.TEST_SERVER_DATABASE_URL;
  const shared = process.env.DATABASE_URL;
  if (!serverUrl || !shared) throw new Error('the jest global setup did not provide a database server');
  const database = `${new URL(shared).pathname.slice(1)}_${suffix}`;
  await createDatabase(serverUrl, database);
  const url = databaseUrlFor(serverUrl, database);
  await runMigrations(url);
  return { url, drop: () => dropDatabase(serverUrl, database) };
}

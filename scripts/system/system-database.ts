import { Client } from 'pg';

/** SQLSTATE duplicate_database: an earlier run created it already. */
const DUPLICATE_DATABASE = '42P04';

/** Creates `database` on the server unless it exists (as testkit/support/test-database.ts creates one per run). */
export async function ensureDatabase(serverUrl: string, database: string): Promise<{ url: string; created: boolean }> {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    return { url: url.toString(), created: true };
  } catch (error) {
    if ((error as { code?: unknown }).code === DUPLICATE_DATABASE) return { url: url.toString(), created: false };
    throw error;
  } finally {
    await client.end();
  }
}

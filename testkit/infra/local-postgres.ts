import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { runCommand } from './process-utils';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const THROWAWAY_PORT = 55432;

export async function isPostgresReachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
}

/**
 * initdb refuses to run as root, so a root caller runs the cluster as the `postgres` user. runuser
 * lives in sbin, which a minimal PATH (CI's, cron's) may lack.
 */
export function asPostgresUser(binary: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [binary, args];
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path)) ?? 'runuser';
  return [runuser, ['-u', 'postgres', '--', binary, ...args]];
}

export interface ThrowawayPostgres {
  url: string;
  stop(): Promise<void>;
}

export interface ThrowawayPostgresOptions {
  /** 55432 unless told. */
  port?: number;
  /** Server settings (`-c name=value`) on top of the defaults, which they override. */
  settings?: Record<string, string>;
}

/**
 * A private cluster: for machines where nothing answers on the default URL, and for the bench's own
 * Postgres. By default it skips fsync (a test cluster is thrown away), which `settings` can turn back on.
 */
export async function startThrowawayPostgres(
  stateDir: string,
  { port = THROWAWAY_PORT, settings = {} }: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error('No PostgreSQL answers and initdb was not found: install PostgreSQL (e.g. apt install postgresql)');
  const dataDir = join(stateDir, 'postgres');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    const { uid, gid } = statSync('/var/lib/postgresql');
    chownSync(dataDir, uid, gid);
  }
  const [initdb, initArgs] = asPostgresUser(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
  ]);
  const init = await runCommand(initdb, initArgs);
  if (init.code !== 0) throw new Error(`initdb failed:\n${init.output}`);
  const server = { listen_addresses: '127.0.0.1', fsync: 'off', max_connections: '200', ...settings };
  const options = [
    `-p ${port} -k ${dataDir}`,
    ...Object.entries(server).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  const [pgCtl, startArgs] = asPostgresUser(join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-o',
    options,
    '-l',
    join(dataDir, 'server.log'),
    '-w',
    'start',
  ]);
  const started = await runCommand(pgCtl, startArgs);
  if (started.code !== 0) throw new Error(`pg_ctl start failed:\n${started.output}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => stopThrowawayPostgres(stateDir),
  };
}

export async function stopThrowawayPostgres(stateDir: string): Promise<void> {
  const bin = postgresBinDir();
  const dataDir = join(stateDir, 'postgres');
  if (!bin || !existsSync(join(dataDir, 'postmaster.pid'))) return;
  const [pgCtl, args] = asPostgresUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  await runCommand(pgCtl, args);
}

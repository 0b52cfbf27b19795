import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../testkit/infra/process-utils';
import { percentileOfSorted } from './stats';

export interface PgbenchResult {
  clients: number;
  seconds: number;
  transactions: number;
  tps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface PgbenchRun {
  databaseUrl: string;
  /** A pgbench custom script (\set lines and SQL, one statement per line). */
  script: string;
  clients: number;
  seconds: number;
}

/**
 * Runs a custom pgbench script with prepared statements and reads the latency of every
 * transaction from pgbench's per-transaction log (its summary only gives a mean).
 */
export async function runPgbench(run: PgbenchRun): Promise<PgbenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'redpacket-pgbench-'));
  try {
    const scriptFile = join(dir, 'script.sql');
    writeFileSync(scriptFile, run.script);
    const { code, output } = await runCommand('pgbench', pgbenchArgs(run, scriptFile, join(dir, 'tx')), {
      env: { ...process.env, ...passwordEnv(run.databaseUrl) },
    });
    if (code !== 0) throw new Error(`pgbench exited with ${code}:\n${output.slice(-3000)}`);
    const latencies = readLatenciesMs(dir);
    return {
      clients: run.clients,
      seconds: run.seconds,
      transactions: latencies.length,
      tps: parseTps(output),
      p50Ms: percentileOfSorted(latencies, 50),
      p99Ms: percentileOfSorted(latencies, 99),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pgbenchArgs(run: PgbenchRun, scriptFile: string, logPrefix: string): string[] {
  const url = new URL(run.databaseUrl);
  return [
    '--no-vacuum',
    '--protocol=prepared',
    `--client=${run.clients}`,
    `--jobs=${Math.min(run.clients, 2)}`,
    `--time=${run.seconds}`,
    `--file=${scriptFile}`,
    '--log',
    `--log-prefix=${logPrefix}`,
    `--host=${url.hostname}`,
    `--port=${url.port || '5432'}`,
    `--username=${decodeURIComponent(url.username || 'postgres')}`,
    decodeURIComponent(url.pathname.slice(1)),
  ];
}

function passwordEnv(databaseUrl: string): Record<string, string> {
  const { password } = new URL(databaseUrl);
  return password ? { PGPASSWORD: decodeURIComponent(password) } : {};
}

function parseTps(output: string): number {
  const match = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
  if (!match) throw new Error(`no tps in pgbench output:\n${output.slice(-2000)}`);
  return Number(match[1]);
}

/** Lines of the per-transaction log: client_id transaction_no latency_us script_no epoch_s epoch_us. */
function readLatenciesMs(dir: string): number[] {
  const latencies: number[] = [];
  for (const file of readdirSync(dir).filter((name) => name.startsWith('tx.'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const fields = line.split(' ');
      if (fields.length >= 3 && /^\d+$/.test(fields[2])) latencies.push(Number(fields[2]) / 1_000);
    }
  }
  return latencies.sort((a, b) => a - b);
}

import { parseArgs } from 'node:util';

export const MEASUREMENTS = ['rest', 'relay', 'reward', 'e2e', 'idle', 'reconcile', 'signing'] as const;
export type MeasurementName = (typeof MEASUREMENTS)[number];

export interface BenchOptions {
  quick: boolean;
  /**
   * Measure on a Postgres cluster of the bench's own (initdb, port 55433), started with pg_stat_statements
   * loaded and logical WAL, instead of the one the stack provides.
   */
  ownPostgres: boolean;
  /** Every figure is the median of this many runs. */
  runs: number;
  only: MeasurementName[];
  restConcurrency: number;
  restSeconds: number;
  relayEvents: number;
  relayBatchSize: number;
  rewardEvents: number;
  pgbenchSeconds: number;
  e2eLoads: number[];
  e2eSeconds: number;
  idleSeconds: number;
  /** Orders of history under which a scheduled reconciliation run is timed. */
  reconcileHistory: number[];
  /** The command line as typed, for the "reproduce" line of the report. */
  argv: string[];
}

export const USAGE = `usage: npm run bench -- [--quick] [--own-postgres] [--runs N] [--only rest,relay,reward,e2e,idle,reconcile,signing]
  [--rest-concurrency N] [--rest-seconds S] [--relay-events N] [--relay-batch-size N]
  [--reward-events N] [--pgbench-seconds S] [--e2e-loads 50,200,500,800,1000] [--e2e-seconds S] [--idle-seconds S]
  [--reconcile-history 10000,1000000]`;

const FULL = {
  runs: 3,
  restConcurrency: 10,
  restSeconds: 15,
  relayEvents: 20_000,
  relayBatchSize: 200,
  rewardEvents: 4_000,
  pgbenchSeconds: 10,
  // 500/s and 800/s are the goals' loads (p99 at 500/s, highest load held ≥ 800/s); 1,000/s shows what lies past them.
  e2eLoads: [50, 200, 500, 800, 1_000],
  e2eSeconds: 20,
  idleSeconds: 10,
  reconcileHistory: [10_000, 1_000_000],
};

/** Small sizes and one run: a smoke test of the whole harness (CI), not a measurement to quote. */
const QUICK: typeof FULL = {
  runs: 1,
  restConcurrency: 10,
  restSeconds: 3,
  relayEvents: 2_000,
  relayBatchSize: 200,
  rewardEvents: 300,
  pgbenchSeconds: 3,
  e2eLoads: [25, 50],
  e2eSeconds: 4,
  idleSeconds: 3,
  reconcileHistory: [1_000, 10_000],
};

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      'own-postgres': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      runs: { type: 'string' },
      only: { type: 'string' },
      'rest-concurrency': { type: 'string' },
      'rest-seconds': { type: 'string' },
      'relay-events': { type: 'string' },
      'relay-batch-size': { type: 'string' },
      'reward-events': { type: 'string' },
      'pgbench-seconds': { type: 'string' },
      'e2e-loads': { type: 'string' },
      'e2e-seconds': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'reconcile-history': { type: 'string' },
    },
  });
  if (values.help) throw new UsageError(USAGE);
  const base = values.quick ? QUICK : FULL;
  const int = (name: keyof typeof values, fallback: number) => positiveInt(name, values[name], fallback);
  return {
    quick: values.quick ?? false,
    ownPostgres: values['own-postgres'] ?? false,
    runs: int('runs', base.runs),
    only: parseOnly(values.only),
    restConcurrency: int('rest-concurrency', base.restConcurrency),
    restSeconds: int('rest-seconds', base.restSeconds),
    relayEvents: int('relay-events', base.relayEvents),
    relayBatchSize: int('relay-batch-size', base.relayBatchSize),
    rewardEvents: int('reward-events', base.rewardEvents),
    pgbenchSeconds: int('pgbench-seconds', base.pgbenchSeconds),
    e2eLoads: values['e2e-loads'] ? parseList('e2e-loads', values['e2e-loads']) : base.e2eLoads,
    e2eSeconds: int('e2e-seconds', base.e2eSeconds),
    idleSeconds: int('idle-seconds', base.idleSeconds),
    reconcileHistory: values['reconcile-history']
      ? parseList('reconcile-history', values['reconcile-history'])
      : base.reconcileHistory,
    argv,
  };
}

export class UsageError extends Error {
  readonly code = 'BENCH_USAGE';
  readonly retriable = false;
}

function positiveInt(name: string, raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer\n${USAGE}`);
  return value;
}

function parseList(name: string, raw: string): number[] {
  return raw.split(',').map((item) => positiveInt(name, item.trim(), 0));
}

function parseOnly(raw: string | undefined): MeasurementName[] {
  if (!raw) return [...MEASUREMENTS];
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(MEASUREMENTS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown measurement(s) ${unknown.join(', ')}\n${USAGE}`);
  return names as MeasurementName[];
}

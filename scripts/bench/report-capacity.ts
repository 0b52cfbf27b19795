import type { BenchResults } from './bench-results';
import type { LoadRun } from './end-to-end.bench';
import { num, table } from './report-format';
import { defaultVariant } from './reward.bench';

/** The rates the model is drawn for. */
export const CAPACITY_RATES = [1_000, 10_000, 100_000];
/** A process is sized to run at this share of its core at the target rate, leaving room for bursts. */
const CORE_HEADROOM = 0.6;

interface Costs {
  load: LoadRun;
  /** CPU ms per order, by part of the system. */
  cpu: Map<string, number>;
  /** Grants per second one partition in flight carries (batched, the default). */
  grantsPerPartition?: number;
  /** This machine's single-primary ceiling for the order transaction (pgbench, same call). */
  pgbenchOrderTps?: number;
}

/**
 * What this design needs at 1k, 10k and 100k orders/s, scaled linearly from the costs one run measured
 * per order at the highest load batched grants held (or the lowest, when none held): a model to see
 * what breaks first, not a promise. Empty when the run did not measure CPU per order.
 */
export function capacitySection(results: BenchResults): string {
  const costs = costsOf(results);
  if (!costs) return '';
  const { load, cpu } = costs;
  const partCores = (part: string, rate: number) => ((cpu.get(part) ?? 0) * rate) / 1_000;
  const instances = (part: string, rate: number) => Math.max(1, Math.ceil(partCores(part, rate) / CORE_HEADROOM));
  const totalMs = [...cpu.values()].reduce((sum, value) => sum + value, 0);
  const db = load.database;
  const rows = CAPACITY_RATES.map((rate) => {
    const rewardInstances = instances('reward-service', rate);
    const partitions = Math.max(
      rewardInstances,
      costs.grantsPerPartition ? Math.ceil(rate / (costs.grantsPerPartition * CORE_HEADROOM)) : 0,
    );
    return [
      `${num(rate)}/s`,
      num((totalMs * rate) / 1_000 / CORE_HEADROOM),
      num(instances('order-service', rate)),
      num(rewardInstances),
      num(partitions),
      num(partCores('postgres', rate), 1),
      db ? num(db.writeTransactionsPerOrder * rate) : 'not measured',
      db ? `${num((db.walBytesPerOrder * rate) / 1_048_576, 1)} MiB/s` : 'not measured',
    ];
  });
  const postgresAt = (rate: number) => partCores('postgres', rate);
  return [
    '## Capacity model',
    '',
    `Scaled from what one order cost in this run at ${num(load.offeredPerSecond)} orders/s (batched grants): ` +
      `${num(totalMs, 2)} ms of CPU across every process` +
      (db
        ? `, ${num(db.writeTransactionsPerOrder, 2)} write transactions and ${num(db.walBytesPerOrder)} bytes of WAL`
        : '') +
      `. Each process is sized to run at ${num(CORE_HEADROOM * 100)} % of a core; Node runs one core per process, so an app's instances are its cores.`,
    '',
    table(
      [
        'orders/s',
        `cores in all (at ${num(CORE_HEADROOM * 100)} %)`,
        'order-service instances',
        'reward-service instances',
        'order.purchased partitions',
        'Postgres cores (one primary)',
        'commits/s',
        'WAL',
      ],
      rows,
    ),
    '',
    'What breaks first, step by step, and the design answer to each:',
    '',
    `- **1k/s** fits one Postgres primary of a few cores (${num(postgresAt(1_000), 1)} cores of Postgres work${costs.pgbenchOrderTps ? `; this machine's two cores run the order transaction alone at ${num(costs.pgbenchOrderTps)}/s` : ''}) and a handful of app instances: scale the apps out, with partitions at least the reward instances.`,
    `- **10k/s** needs ${num(postgresAt(10_000))} cores of Postgres work on one primary, and every order inserts and later deletes a row in two outboxes and an inbox: their churn (dead tuples, vacuum, index bloat) and the commit rate are the limit. Answer: declarative partitioning of the outbox, inbox and packet tables by time, so retention drops a partition instead of deleting rows, and group commit (\`commit_delay\`) for the commit rate.`,
    `- **100k/s** is ${num(postgresAt(100_000))} cores of Postgres work: beyond one primary. Answer: shard by user id (the key every per-user lock, wallet and Kafka key already uses), each shard its own Postgres with its own outbox, relay and inbox, and the reconciler run per shard; Kafka partitions (${rows[2][4]}) stay well within one cluster's limits.`,
    "- **Not the first limit:** the advisory locks. The order path takes its two (the idempotency key, the customer) with `pg_advisory_xact_lock`, released at commit, so the lock table holds as many as there are order transactions in flight (the pools' size), whatever the rate; the reconciler holds one session lock per run.",
  ].join('\n');
}

function costsOf(results: BenchResults): Costs | undefined {
  const batched = results.e2e?.batched;
  if (!batched) return undefined;
  const withCpu = batched.median.filter((l) => l.cpuPerOrder);
  const load = withCpu.find((l) => l.offeredPerSecond === batched.highestLoadUnderTarget) ?? withCpu[0];
  if (!load?.cpuPerOrder) return undefined;
  const cpu = new Map(load.cpuPerOrder.map((part) => [part.part, part.msPerOrder]));
  const reward = results.reward;
  const standard = reward && defaultVariant(reward.median.variants);
  return {
    load,
    cpu,
    grantsPerPartition: reward && standard ? standard.grantsPerSecond / reward.partitionsConcurrently : undefined,
    pgbenchOrderTps: results.rest?.median.pgbenchTps,
  };
}

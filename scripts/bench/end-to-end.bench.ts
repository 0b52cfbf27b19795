import type { SystemUnderTest } from '../../testkit/system/system';
import { pollUntil } from '../../testkit/infra/process-utils';
import { type BenchContext, withSystem } from './bench-context';
import { type DatabaseActivity, DatabaseActivityMeter, medianActivity } from './database-activity';
import type { BenchOptions } from './bench-options';
import { placeOrdersAtSteadyRate } from './order-load';
import { medianBreakdown, type StageBreakdown } from './stage-breakdown';
import { StageRecorder } from './stage-recorder';
import { type CpuPerOrder, medianCpu, SystemCpu } from './system-cpu';
import { median, repeat } from './stats';
import type { DataSource } from 'typeorm';

/** The target the report holds every load against. */
export const E2E_P99_TARGET_MS = 100;

export interface LoadRun {
  offeredPerSecond: number;
  achievedPerSecond: number;
  /** Requests that got no 201 (errors, timeouts, other statuses). */
  failed: number;
  /** Of those: refused with 503/429, other 5xx, timed out (absent in older results). */
  refused?: number;
  serverErrors?: number;
  timeouts?: number;
  /** How late the load generator sent its last request: near 0 unless it could not keep the pace itself. */
  behindScheduleMs: number;
  orders: number;
  packets: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The first leg: order transaction start → Kafka acknowledged the relay's send (outbox.published_at). */
  toRelayP50Ms: number;
  toRelayP99Ms: number;
  /** The second leg: Kafka acknowledged → grant transaction start (the relay's commit, the fetch, scheduling). */
  relayToGrantP50Ms: number;
  relayToGrantP99Ms: number;
  /** Stage by stage, from the client's send to the grant's commit (the batched, default configuration only). */
  stages?: StageBreakdown;
  /** CPU per order, part by part (apps, Postgres, Kafka, the load generator); absent in older results. */
  cpuPerOrder?: CpuPerOrder[];
  /** What Postgres did per order: statements, their time, write transactions, WAL; absent in older results. */
  database?: DatabaseActivity;
}

type Latencies = Omit<
  LoadRun,
  | 'offeredPerSecond'
  | 'achievedPerSecond'
  | 'failed'
  | 'refused'
  | 'serverErrors'
  | 'timeouts'
  | 'behindScheduleMs'
  | 'orders'
  | 'packets'
  | 'stages'
  | 'database'
>;

/** Below this share of the offered rate, the order service did not take the load it was offered. */
export const KEPT_RATE_SHARE = 0.95;

/**
 * A load held the target when the generator kept its rate (a load it could not offer is not the load
 * asked for), every order got its packet (missing ones would flatter p99), and p99 stayed under it.
 */
export function heldTarget(load: LoadRun): boolean {
  return (
    load.achievedPerSecond >= load.offeredPerSecond * KEPT_RATE_SHARE &&
    load.packets >= load.orders &&
    load.p99Ms < E2E_P99_TARGET_MS
  );
}

/** One configuration of the reward service at every offered load. */
export interface E2eLoads {
  runs: LoadRun[][];
  median: LoadRun[];
  /** The highest offered load that held the target (heldTarget, on the medians), if any. */
  highestLoadUnderTarget: number | null;
}

export interface E2eResult extends E2eLoads {
  seconds: number;
  /**
   * The same loads with batched grants (REWARD_BATCH_GRANTS=true, the default under inbox-tx): the same
   * guarantees, fewer transactions.
   */
  batched?: E2eLoads;
  /** Batched grants with both apps on @platformatic/kafka (KAFKA_CLIENT=platformatic); absent in older results. */
  batchedPlatformatic?: E2eLoads;
}

/**
 * The whole pipeline at steady offered loads: order-service (relay on) → Kafka → reward-service
 * (inbox-tx, per message, then batched). Latency is order committed → packet committed, read from the two tables;
 * for the batched (default) configuration each load is also broken down stage by stage.
 */
export async function benchEndToEnd(context: BenchContext, options: BenchOptions): Promise<E2eResult> {
  const perMessage = await atEveryLoad(context, options, 'end to end, one grant transaction per message', {
    env: { REWARD_BATCH_GRANTS: 'false' },
    stages: false,
  });
  const batched = await atEveryLoad(context, options, 'end to end, batched grants (default)', {
    env: { REWARD_BATCH_GRANTS: 'true' },
    stages: true,
  });
  const batchedPlatformatic = await atEveryLoad(context, options, 'end to end, batched grants, @platformatic/kafka', {
    env: { REWARD_BATCH_GRANTS: 'true' },
    client: { KAFKA_CLIENT: 'platformatic' },
    stages: false,
  });
  return { seconds: options.e2eSeconds, ...perMessage, batched, batchedPlatformatic };
}

async function atEveryLoad(
  context: BenchContext,
  options: BenchOptions,
  label: string,
  reward: { env: Record<string, string>; stages: boolean; client?: Record<string, string> },
): Promise<E2eLoads> {
  // A fresh pair of processes per run: one run's backlog or a lost process never leaks into the next.
  const runs = await repeat(options.runs, label, (run) =>
    withSystem(context, 'inbox-tx', async (system) => {
      const orders = await system.startApp('order-service', reward.client ?? {});
      const rewards = await system.startApp('reward-service', { ...reward.env, ...reward.client });
      await system.waitForRewardMembers(1);
      const recorder = reward.stages ? new StageRecorder(system, rewards, context.dataSource) : undefined;
      const lowest = Math.min(...options.e2eLoads);
      await offerLoad(context, system, orders.url, lowest, Math.min(3, options.e2eSeconds), `r${run}-warm-up`);
      const results: LoadRun[] = [];
      for (const load of options.e2eLoads) {
        const tag = `r${run}-l${load}`;
        results.push(await offerLoad(context, system, orders.url, load, options.e2eSeconds, tag, recorder));
      }
      const breakdowns = (await recorder?.breakdowns()) ?? [];
      return results.map((result, i) => (breakdowns[i] ? { ...result, stages: breakdowns[i] } : result));
    }),
  );
  const medians = options.e2eLoads.map((_, i) => medianLoad(runs.map((run) => run[i])));
  const underTarget = medians.filter(heldTarget);
  return {
    runs,
    median: medians,
    highestLoadUnderTarget: underTarget.length > 0 ? Math.max(...underTarget.map((m) => m.offeredPerSecond)) : null,
  };
}

async function offerLoad(
  context: BenchContext,
  system: SystemUnderTest,
  url: string,
  perSecond: number,
  seconds: number,
  tag: string,
  recorder?: StageRecorder,
): Promise<LoadRun> {
  // The apps keep running between loads, so each load is told apart by its users, not by emptying tables.
  await expectAppsRunning(system);
  const userPrefix = `${system.namespace}-${tag}`;
  const histogramBefore = await recorder?.histogramNow();
  const database = await DatabaseActivityMeter.start(context.dataSource);
  const cpu = SystemCpu.start(system);
  const placed = await placeOrdersAtSteadyRate({ url, perSecond, seconds, userPrefix });
  if (placed.failed > 0) await expectAppsRunning(system);
  const counts = await waitForEveryPacket(context.dataSource, userPrefix);
  // Until every packet is in (or the wait gave up): the CPU that the load's orders cost, drain included.
  const cpuPerOrder = await cpu.perOrder(counts.orders);
  const activity = await database.perOrder(counts.orders);
  if (recorder && histogramBefore) await recorder.record(userPrefix, placed.answered, histogramBefore, counts.packets);
  return {
    offeredPerSecond: perSecond,
    achievedPerSecond: placed.requestsPerSecond,
    failed: placed.failed,
    refused: placed.refused,
    serverErrors: placed.serverErrors,
    timeouts: placed.timeouts,
    behindScheduleMs: placed.behindScheduleMs,
    ...counts,
    ...(await latencies(context.dataSource, userPrefix)),
    cpuPerOrder,
    database: activity,
  };
}

async function expectAppsRunning(system: SystemUnderTest): Promise<void> {
  const gone = system.apps.filter(
    (app) => app.process.child.exitCode !== null || app.process.child.signalCode !== null,
  );
  if (gone.length > 0)
    throw new Error(
      `${gone.map((app) => `${app.name} (${app.process.child.exitCode ?? app.process.child.signalCode})`).join(', ')} exited:\n${system.logs()}`,
    );
  for (const app of system.apps) await system.waitReady(app);
}

/** Every order qualifies: waits until each order of the load has its packet, or reports what arrived at the deadline. */
async function waitForEveryPacket(dataSource: DataSource, userPrefix: string) {
  const count = async () => {
    const [row] = await dataSource.query<{ orders: string; packets: string }[]>(
      `SELECT (SELECT count(*) FROM ordering.orders WHERE user_id LIKE $1) AS orders,
              (SELECT count(*) FROM rewards.red_packets WHERE user_id LIKE $1) AS packets`,
      [`${userPrefix}-%`],
    );
    return { orders: Number(row.orders), packets: Number(row.packets) };
  };
  return pollUntil(
    'every order to have its packet',
    async () => {
      const counts = await count();
      return counts.packets >= counts.orders ? counts : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  ).catch(count);
}

/**
 * Percentiles of packet granted_at − order created_at, and of the two legs either side of Kafka's
 * acknowledgement of the relay's send (outbox.published_at, clock_timestamp()). The other two
 * columns are now(): their transaction's start time.
 */
async function latencies(dataSource: DataSource, userPrefix: string): Promise<Latencies> {
  const [row] = await dataSource.query<Record<string, number>[]>(
    `SELECT percentile_cont(0.50) WITHIN GROUP (ORDER BY total) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY total) AS p95,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY total) AS p99,
            percentile_cont(0.50) WITHIN GROUP (ORDER BY to_relay) AS to_relay_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY to_relay) AS to_relay_p99,
            percentile_cont(0.50) WITHIN GROUP (ORDER BY to_grant) AS to_grant_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY to_grant) AS to_grant_p99
       FROM (SELECT extract(epoch FROM p.granted_at - o.created_at) * 1000 AS total,
                    extract(epoch FROM x.published_at - o.created_at) * 1000 AS to_relay,
                    extract(epoch FROM p.granted_at - x.published_at) * 1000 AS to_grant
               FROM ordering.orders o
               JOIN rewards.red_packets p USING (order_id)
               LEFT JOIN ordering.outbox x ON x.event_id = p.event_id
              WHERE o.user_id LIKE $1) AS delays`,
    [`${userPrefix}-%`],
  );
  return {
    p50Ms: numberOrNaN(row.p50),
    p95Ms: numberOrNaN(row.p95),
    p99Ms: numberOrNaN(row.p99),
    toRelayP50Ms: numberOrNaN(row.to_relay_p50),
    toRelayP99Ms: numberOrNaN(row.to_relay_p99),
    relayToGrantP50Ms: numberOrNaN(row.to_grant_p50),
    relayToGrantP99Ms: numberOrNaN(row.to_grant_p99),
  };
}

/** A percentile over no rows is NULL: not a latency of 0. */
function numberOrNaN(value: number | null): number {
  return value === null ? Number.NaN : Number(value);
}

function medianLoad(loads: LoadRun[]): LoadRun {
  const fields = Object.keys(loads[0]).filter(
    (field): field is Exclude<keyof LoadRun, 'stages' | 'cpuPerOrder' | 'database'> =>
      field !== 'stages' && field !== 'cpuPerOrder' && field !== 'database',
  );
  const medians = Object.fromEntries(
    fields.map((field) => [field, median(loads.map((load) => Number(load[field])))]),
  ) as unknown as LoadRun;
  const breakdowns = loads.flatMap((load) => (load.stages ? [load.stages] : []));
  const cpu = loads.flatMap((load) => (load.cpuPerOrder ? [load.cpuPerOrder] : []));
  const database = loads.flatMap((load) => (load.database ? [load.database] : []));
  return {
    ...medians,
    ...(breakdowns.length > 0 ? { stages: medianBreakdown(breakdowns) } : {}),
    ...(cpu.length > 0 ? { cpuPerOrder: medianCpu(cpu) } : {}),
    ...(database.length > 0 ? { database: medianActivity(database) } : {}),
  };
}

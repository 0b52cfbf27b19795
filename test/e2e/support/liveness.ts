import { retryDelayMs } from '@redpacket/outbox';
import { DEFAULT_REWARD_RULE, rewardFor } from '@redpacket/rewards';
import { Partitioners } from 'kafkajs';
import { pollUntil } from '../../../testkit/infra/process-utils';
import { randomUUID } from 'node:crypto';
import { asCustomer } from '../../../testkit/support/customer';
import type { OrderPlan, RunningApp, SystemUnderTest } from '../../../testkit/system/system';

/**
 * Waits until every qualifying order of the scenario has its packet and returns how long that took
 * from `since`: the time a customer waited for the fault to stop mattering.
 */
export function timeUntilEveryonePaid(system: SystemUnderTest, since: number, timeoutMs = 120_000) {
  return timeUntilPaid(system, since, () => true, timeoutMs);
}

/** As timeUntilEveryonePaid, for the customers `whose` says. */
export async function timeUntilPaid(
  system: SystemUnderTest,
  since: number,
  whose: (userId: string) => boolean,
  timeoutMs = 120_000,
): Promise<number> {
  await pollUntil(
    'every qualifying order of the scenario to be paid',
    async () => ((await unpaidQualifying(system)).some(whose) ? undefined : true),
    { timeoutMs, intervalMs: 100 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${system.logs()}`, { cause: error });
  });
  return Date.now() - since;
}

/** The customers of qualifying orders that have no packet yet, one entry per order. */
export async function unpaidQualifying(system: SystemUnderTest): Promise<string[]> {
  const orders = await system.dataSource.query<
    { user_id: string; item_count: number; total_cents: string; paid: boolean }[]
  >(
    `SELECT o.user_id, o.item_count, o.total_cents,
            EXISTS (SELECT 1 FROM rewards.red_packets p WHERE p.order_id = o.order_id) AS paid
       FROM ordering.orders o WHERE o.user_id LIKE $1`,
    [`${system.userPrefix}-%`],
  );
  const qualifies = (o: { item_count: number; total_cents: string }) =>
    rewardFor({ itemCount: o.item_count, totalCents: Number(o.total_cents) }, DEFAULT_REWARD_RULE) > 0;
  return orders.filter((o) => qualifies(o) && !o.paid).map((o) => o.user_id);
}

/** The 99th percentile, over the paid orders of the customers `whose` says, of placed-to-granted time. */
export async function grantDelayP99(system: SystemUnderTest, whose: (userId: string) => boolean): Promise<number> {
  const rows = await system.dataSource.query<{ user_id: string; ms: number }[]>(
    `SELECT o.user_id, extract(epoch FROM p.granted_at - o.created_at)::float8 * 1000 AS ms
       FROM ordering.orders o JOIN rewards.red_packets p ON p.order_id = o.order_id
      WHERE o.user_id LIKE $1`,
    [`${system.userPrefix}-%`],
  );
  return p99(rows.filter((row) => whose(row.user_id)).map((row) => row.ms));
}

/** The most publish attempts any outbox row of the scenario took, for the customers on either side. */
export async function publishAttempts(
  system: SystemUnderTest,
  onUnwritable: (userId: string) => boolean,
): Promise<{ unwritable: number; others: number }> {
  const rows = await system.dataSource.query<{ message_key: string; attempts: number }[]>(
    'SELECT message_key, attempts FROM ordering.outbox WHERE message_key LIKE $1 AND published_at IS NOT NULL',
    [`${system.userPrefix}-%`],
  );
  const most = (keep: (row: { message_key: string }) => boolean) =>
    Math.max(0, ...rows.filter(keep).map((row) => row.attempts));
  const unpublished = await system.dataSource.query<{ message_key: string; attempts: number }[]>(
    'SELECT message_key, attempts FROM ordering.outbox WHERE message_key LIKE $1 AND published_at IS NULL',
    [`${system.userPrefix}-%`],
  );
  return {
    unwritable: Math.max(
      most((row) => onUnwritable(row.message_key)),
      ...unpublished.filter((row) => onUnwritable(row.message_key)).map((row) => row.attempts),
    ),
    others: most((row) => !onUnwritable(row.message_key)),
  };
}

/** How many attempts a row can take in `ms` when each failure waits 0.5 s, 1 s, 2 s, … 10 s: one more than fit. */
export function maxAttemptsWithBackoff(ms: number): number {
  let attempts = 1;
  for (let waited = 0; waited <= ms; attempts += 1) waited += retryDelayMs(attempts);
  return attempts;
}

/**
 * Creates the scenario's order topic with two replicas per partition and min.insync.replicas 2: partition 0
 * on brokers 1 and `broker`, the others on brokers 1 and 2. Stopping `broker` leaves partition 0 with one
 * in-sync replica, so acks=all writes to it fail (NOT_ENOUGH_REPLICAS) while every other partition takes them.
 */
export function createOrderTopicWithOnePartitionAlsoOn(
  system: SystemUnderTest,
  broker: number,
): Promise<{ unwritable: number; partitions: number }> {
  return createOrderTopic(system, (partition) => (partition === 0 ? [1, broker] : partition % 2 ? [1, 2] : [2, 1]), 2);
}

/**
 * Creates the scenario's order topic with partition 0 on `broker` alone and the others on broker 1 or 2:
 * stopping `broker` leaves partition 0 without a leader (no replica to elect) and every other one as it was.
 */
export function createOrderTopicWithOnePartitionOnlyOn(
  system: SystemUnderTest,
  broker: number,
): Promise<{ unwritable: number; partitions: number }> {
  return createOrderTopic(system, (partition) => (partition === 0 ? [broker] : [1 + (partition % 2)]), 1);
}

async function createOrderTopic(
  system: SystemUnderTest,
  replicasOf: (partition: number) => number[],
  minInsyncReplicas: number,
): Promise<{ unwritable: number; partitions: number }> {
  const partitions = 6;
  const admin = system.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic: system.topic,
          replicaAssignment: Array.from({ length: partitions }, (_, partition) => ({
            partition,
            replicas: replicasOf(partition),
          })),
          configEntries: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }],
        },
      ],
    });
    // A new topic's partitions may briefly be unknown to a broker: wait until each has its leader.
    await pollUntil(
      `a leader for each partition of ${system.topic}`,
      async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: [system.topic] }).catch(() => undefined);
        const leaders = metadata?.topics[0]?.partitions.filter((p) => p.leader >= 0).length ?? 0;
        return leaders === partitions ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  } finally {
    await admin.disconnect();
  }
  return { unwritable: 0, partitions };
}

/** The partition a key is written to: murmur2, as every producer of the system routes it. */
export function partitionOfKey(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
  return Partitioners.DefaultPartitioner()({ topic: '', partitionMetadata, message: { key, value: null } });
}

/** The readiness answer with its details (the admin's view): status code and body. */
export async function readiness(app: RunningApp, adminToken: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${app.url}/health/ready`, { headers: { authorization: `Bearer ${adminToken}` } });
  return { status: response.status, body: await response.text() };
}

/**
 * Sends SIGTERM and measures how long the process took to exit. A close that finished re-raises the
 * signal (Nest's shutdown hooks), so the process ends by SIGTERM; the shutdown deadline ends it with code 1.
 */
export async function terminate(
  app: RunningApp,
): Promise<{ exitMs: number; code: number | null; signal: NodeJS.Signals | null }> {
  const started = Date.now();
  app.process.child.kill('SIGTERM');
  const { code, signal } = await app.process.exited;
  return { exitMs: Date.now() - started, code, signal };
}

export function seconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)} s`;
}

/** What a burst of POST /orders got: each answer's status and how long it took. */
export interface BurstAnswers {
  statuses: number[];
  latenciesMs: number[];
}

/**
 * Posts one order per plan entry, `concurrency` at a time, each once (no retry): the raw answers a
 * client sees, to count refusals and server errors and measure latency.
 */
export async function postOnce(app: RunningApp, plan: OrderPlan[], concurrency: number): Promise<BurstAnswers> {
  const answers: BurstAnswers = { statuses: [], latenciesMs: [] };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < plan.length; i = next++) {
      const { userId, sku, quantity } = plan[i];
      const started = performance.now();
      const response = await fetch(`${app.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...(await asCustomer(userId)) },
        body: JSON.stringify({ items: [{ sku, quantity }] }),
      });
      await response.arrayBuffer();
      answers.statuses.push(response.status);
      answers.latenciesMs.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

export function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
}

/** Asks for readiness, one answer after the other, until `done` settles; returns the statuses seen. */
export async function readinessWhile(app: RunningApp, done: Promise<unknown>): Promise<number[]> {
  const seen: number[] = [];
  let over = false;
  const end = () => (over = true);
  done.then(end, end);
  while (!over) seen.push((await fetch(`${app.url}/health/ready`)).status);
  return seen;
}

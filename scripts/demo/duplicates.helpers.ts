import type { ReconciliationRun } from '@redpacket/reconciliation';
import { DEFAULT_REWARD_RULE, rewardFor } from '@redpacket/rewards';
import {
  type OrderPlan,
  type PlacedOrder,
  postOrder,
  type RunningApp,
  type SystemUnderTest,
} from '../../testkit/system/system';
import type { AppProcess } from '../../testkit/support/app-process';
import { get, seriesLines } from '../../testkit/system/monitor-client';
import { groupLag, totalLag } from '../../testkit/support/consumer-group';
import { testProducer } from '../../testkit/support/kafka.helpers';
import { TopicReader } from '../../testkit/support/topic-reader';
import { asCustomer } from '../../testkit/support/customer';
import { pollUntil } from '../../testkit/infra/process-utils';
import { replayerGroup } from './duplicates.session';

/** Catalogue SKUs from 3.00 to 120.00: packets from the 1.00 minimum to the 5 % share. */
const DEMO_SKUS = ['PEN', 'MUG', 'TEE', 'LAMP', 'HOODIE', 'SNEAKERS'];

/**
 * Orders for `users` users, the same every run: each user gets item counts 1, 2, 3, 4, 5, 1, …, so
 * about half of them qualify (3 items or more) and every user has both kinds.
 */
export function plannedOrders(prefix: string, count: number, users: number): OrderPlan[] {
  return Array.from({ length: count }, (_, i) => ({
    userId: `${prefix}-u${i % users}`,
    quantity: 1 + (Math.floor(i / users) % 5),
    sku: DEMO_SKUS[i % DEMO_SKUS.length],
  }));
}

/** Orders that all qualify (3 to 5 items), for the events the demo loses on purpose. */
export function qualifyingOrders(prefix: string, count: number, users: number): OrderPlan[] {
  return plannedOrders(prefix, count, users).map((order, i) => ({ ...order, quantity: 3 + (i % 3) }));
}

export function qualifies(order: Pick<PlacedOrder, 'itemCount' | 'totalCents'>): boolean {
  return rewardFor(order, DEFAULT_REWARD_RULE) > 0;
}

export interface PostedTwice {
  key: string;
  first: PlacedOrder;
  second: PlacedOrder;
  /** The idempotent-replayed header of each answer (null when absent). */
  headers: [string | null, string | null];
  /** The second answer said it was a replay and named the same order. */
  replayed: boolean;
}

/** Each order POSTed twice with one Idempotency-Key, the second only after the first was answered. */
export async function placeEachTwice(
  via: RunningApp,
  keyPrefix: string,
  plan: OrderPlan[],
  concurrency = 4,
): Promise<PostedTwice[]> {
  const results: PostedTwice[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < plan.length; i = next++) {
      const { userId, quantity, sku } = plan[i];
      const body = JSON.stringify({ items: [{ sku, quantity }] });
      const key = `${keyPrefix}-order-${i}`;
      const auth = await asCustomer(userId);
      const first = await postOrder(via, key, body, auth);
      const second = await postOrder(via, key, body, auth);
      results.push({
        key,
        first: first.order,
        second: second.order,
        headers: [first.replayedHeader, second.replayedHeader],
        replayed: second.replayedHeader === 'true' && second.order.orderId === first.order.orderId,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

export async function countOrders(system: SystemUnderTest): Promise<number> {
  const [row] = await system.dataSource.query<{ n: string }[]>(
    'SELECT count(*) AS n FROM ordering.orders WHERE user_id LIKE $1',
    [`${system.userPrefix}-%`],
  );
  return Number(row.n);
}

/**
 * Reads the topic back from the beginning until `count` events have arrived, then produces each of
 * them `times` more times, with its key, value, headers and partition. Returns the copies sent.
 */
export async function reproduceTopic(system: SystemUnderTest, count: number, times: number): Promise<number> {
  const reader = await TopicReader.start(system.kafka, system.topic, replayerGroup(system));
  const producer = testProducer();
  await producer.connect();
  try {
    await reader.waitFor(`${count} events on ${system.topic}`, (messages) => messages.length >= count, 60_000);
    const copies = reader.messages.map((m) => ({
      key: m.key,
      value: m.value,
      headers: m.headers,
      partition: m.partition,
    }));
    for (let round = 0; round < times; round++) await producer.send(system.topic, copies);
    return copies.length * times;
  } finally {
    await Promise.all([reader.stop(), producer.disconnect()]);
  }
}

export interface KillPoint {
  packets: number;
  committed: number;
  total: number;
}

/**
 * Waits until the reward service is halfway: half of the `qualifying` orders have their packet in
 * the database, or the group has committed half of the topic. The second keeps the demo going under
 * a strategy that drops rewards (version-in-message), whose packets may never reach half.
 */
export async function waitForHalfway(system: SystemUnderTest, qualifying: number): Promise<KillPoint> {
  return pollUntil(
    `half of ${qualifying} red packets in the database, or half of the topic committed`,
    async () => {
      const [packets, progress] = await Promise.all([countPackets(system), groupProgress(system)]);
      const halfway = packets >= qualifying / 2 || progress.committed >= progress.total / 2;
      return halfway ? { packets, ...progress } : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 20 },
  );
}

async function countPackets(system: SystemUnderTest): Promise<number> {
  const [row] = await system.dataSource.query<{ n: string }[]>(
    'SELECT count(*) AS n FROM rewards.red_packets WHERE user_id LIKE $1',
    [`${system.userPrefix}-%`],
  );
  return Number(row.n);
}

/** How far the reward group has committed: messages on the topic, and those below its offsets. */
export async function groupProgress(system: SystemUnderTest): Promise<{ committed: number; total: number }> {
  const [ends, lag] = await Promise.all([
    system.admin.fetchTopicOffsets(system.topic),
    groupLag(system.admin, system.group, system.topic),
  ]);
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  return { committed: total - Number(totalLag(lag)), total };
}

/** What a reward service did with each message it handled, from its /metrics: outcome → count. */
export async function consumedByOutcome(rewards: RunningApp): Promise<Record<string, number>> {
  const lines = seriesLines(await get(rewards, '/metrics'), 'redpacket_events_consumed_total');
  return Object.fromEntries(
    lines.map((line) => [/outcome="([^"]*)"/.exec(line)?.[1] ?? '?', Number(line.slice(line.lastIndexOf(' ') + 1))]),
  );
}

/** Deletes the still unpublished outbox rows of these orders: their events will never be sent. */
export async function deleteOutboxRows(system: SystemUnderTest, orders: PlacedOrder[]): Promise<number> {
  const [row] = await system.dataSource.query<{ n: string }[]>(
    `WITH deleted AS (
       DELETE FROM ordering.outbox WHERE published_at IS NULL AND payload->>'orderId' = ANY($1) RETURNING 1
     ) SELECT count(*) AS n FROM deleted`,
    [orders.map((o) => o.orderId)],
  );
  return Number(row.n);
}

/** One reconciliation from the CLI, with grace period 0; its report, or an error with its output. */
export async function reconcileNow(system: SystemUnderTest, started: AppProcess[]): Promise<ReconciliationRun> {
  const cli = await system.reconcile({ RECONCILER_GRACE_SECONDS: '0' });
  started.push(cli);
  let exit: { code: number | null } | undefined;
  void cli.exited.then((e) => (exit = e));
  await pollUntil('the reconciler to finish', async () => exit, { timeoutMs: 120_000, intervalMs: 100 });
  // The report is printed as indented JSON; the app's own log lines are one-line JSON.
  const report = [...cli.output().matchAll(/^\{\n[\s\S]*?\n\}$/gm)].pop()?.[0];
  if (exit?.code !== 0 || !report) throw new Error(`reconcile exited ${exit?.code}:\n${cli.output().slice(-2000)}`);
  return JSON.parse(report) as ReconciliationRun;
}

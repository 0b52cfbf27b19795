import { provingAll } from './prove-all';
import type { KafkaClientName } from '@redpacket/config';
import type { GrantStrategyName } from '@redpacket/rewards';
import { pollUntil } from '../../../testkit/infra/process-utils';
import { TopicReader } from '../../../testkit/support/topic-reader';
import { measureOutcome, type ScenarioOutcome } from '../../../testkit/system/outcome';
import { type GrantMode, mixedOrders, type PlacedOrder, SystemUnderTest } from '../../../testkit/system/system';
import { testProducer } from '../../../testkit/support/kafka.helpers';

const ORDERS = Number(process.env.E2E_ORDERS ?? 200);
const USERS = Math.max(1, Math.floor(ORDERS / 5));

export interface Scenario {
  id: string;
  title: string;
  /** Strategies that theory says must fail this scenario, with the reason. */
  mustFail: Partial<Record<GrantStrategyName, string>>;
  run(system: SystemUnderTest): Promise<void>;
}

async function waitForExit(app: { process: { exited: Promise<unknown> } }): Promise<void> {
  await app.process.exited;
}

/** One column of the guarantee matrix: a strategy, and for inbox-tx how it grants. */
export interface MatrixColumn {
  id: string;
  strategy: GrantStrategyName;
  grants?: GrantMode;
  /** The apps' Kafka client; kafkajs, the default, when not given. */
  client?: KafkaClientName;
}

/**
 * The columns this run fills: inbox-tx batched (the default) and the weaker strategies, which show the
 * suite can see a double grant, always; inbox-tx per message and on @platformatic/kafka under
 * `npm run prove` (or PROVE_ALL=1), where the fault suite and the liveness rows run on them too.
 */
export function columnsToRun(): MatrixColumn[] {
  return MATRIX_COLUMNS.filter((column) => provingAll() || (column.grants !== 'per-message' && !column.client));
}

/**
 * The rows a column runs: every row for inbox-tx; for a weaker strategy, every row under
 * `npm run prove` (the whole matrix), and in CI only the rows theory says it must fail, the ones that
 * show the suite sees a double grant or a lost reward.
 */
export function scenariosToRun(column: MatrixColumn): Scenario[] {
  if (provingAll() || column.strategy === 'inbox-tx') return SCENARIOS;
  return SCENARIOS.filter((scenario) => scenario.mustFail[column.strategy] !== undefined);
}

/** inbox-tx both ways and on both clients, then the weaker strategies (which have no batched form). */
export const MATRIX_COLUMNS: MatrixColumn[] = [
  { id: 'inbox-tx, batched', strategy: 'inbox-tx', grants: 'batched' },
  { id: 'inbox-tx, per message', strategy: 'inbox-tx', grants: 'per-message' },
  { id: 'inbox-tx, batched, platformatic', strategy: 'inbox-tx', grants: 'batched', client: 'platformatic' },
  { id: 'none', strategy: 'none' },
  { id: 'version-in-message', strategy: 'version-in-message' },
  { id: 'inbox-no-tx', strategy: 'inbox-no-tx' },
];

/** Runs one scenario under one strategy from a clean namespace and measures the invariants. */
export async function runScenario(scenario: Scenario, column: MatrixColumn): Promise<ScenarioOutcome> {
  const { strategy } = column;
  const system = new SystemUnderTest(strategy, { grants: column.grants, client: column.client });
  await system.start();
  try {
    await scenario.run(system);
    await system.waitForQuiescence();
    return await measureOutcome(system);
  } catch (error) {
    throw new Error(`${scenario.id} under ${column.id} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    await system.stop();
  }
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'replay-topic',
    title: 'every event re-produced to the topic',
    mustFail: { none: 'each redelivery credits again' },
    async run(system) {
      const orders = await system.startApp('order-service');
      await system.startApp('reward-service');
      const placed = await system.placeOrders(orders, mixedOrders(system.userPrefix, ORDERS, USERS));
      await system.waitForQuiescence();
      await reproduceTopic(system, placed.length);
    },
  },
  {
    id: 'replay-group-reset',
    title: 'consumer group reset to the earliest offset',
    mustFail: { none: 'each redelivery credits again' },
    async run(system) {
      const orders = await system.startApp('order-service');
      const rewards = await system.startApp('reward-service');
      await system.placeOrders(orders, mixedOrders(system.userPrefix, ORDERS, USERS));
      await system.waitForQuiescence();
      await rewards.process.kill('SIGTERM');
      await system.admin.resetOffsets({ groupId: system.group, topic: system.topic, earliest: true });
      await system.startApp('reward-service');
    },
  },
  {
    id: 'relay-crash',
    title: 'relay killed after send, before marking published; restarted',
    mustFail: { none: 'the republished events credit again' },
    async run(system) {
      const orders = await system.startApp('order-service', { OUTBOX_RELAY_ENABLED: 'false' });
      await system.startApp('reward-service');
      await system.placeOrders(orders, mixedOrders(system.userPrefix, ORDERS, USERS));
      const crashing = await system.startApp(
        'order-service',
        { FAILPOINTS: 'outbox-relay.after-send=crash', OUTBOX_BATCH_SIZE: String(ORDERS) },
        false,
      );
      await waitForExit(crashing);
      await system.startApp('order-service');
    },
  },
  {
    id: 'consumer-crash-after-commit',
    title: 'reward service killed after the DB commit, before the offset commit',
    mustFail: { none: 'the redelivered batch credits again' },
    async run(system) {
      const orders = await system.startApp('order-service', { OUTBOX_RELAY_ENABLED: 'false' });
      // All qualifying, so the message in hand at the crash certainly credits.
      await system.placeOrders(orders, mixedOrders(system.userPrefix, ORDERS, USERS).map(qualifyAll));
      const crashing = await system.startApp('reward-service', { FAILPOINTS: 'reward.after-db-commit=crash' }, false);
      await system.startApp('order-service');
      await waitForExit(crashing);
      await system.startApp('reward-service');
    },
  },
  {
    id: 'consumer-crash-mid-grant',
    title: 'reward service killed in the middle of a grant',
    mustFail: { 'inbox-no-tx': 'the credit committed, the processed id was never saved' },
    async run(system) {
      const orders = await system.startApp('order-service', { OUTBOX_RELAY_ENABLED: 'false' });
      await system.placeOrders(orders, mixedOrders(system.userPrefix, ORDERS, USERS).map(qualifyAll));
      // Each strategy stops at its own "middle": inside the transaction, or between credit and save.
      const crashing = await system.startApp(
        'reward-service',
        { FAILPOINTS: 'grant.before-commit=crash,grant.inbox-no-tx.before-save-id=crash' },
        false,
      );
      await system.startApp('order-service');
      await Promise.race([waitForExit(crashing), system.waitForQuiescence()]);
      await crashing.process.kill('SIGTERM');
      await system.startApp('reward-service');
    },
  },
  {
    id: 'rebalance',
    title: 'reward-service instances added and removed during the load',
    mustFail: {},
    async run(system) {
      const orders = await system.startApp('order-service');
      const first = await system.startApp('reward-service');
      const plan = mixedOrders(system.userPrefix, ORDERS, USERS);
      const third = Math.ceil(plan.length / 3);
      await system.placeOrders(orders, plan.slice(0, third));
      const second = await system.startApp('reward-service');
      await system.placeOrders(orders, plan.slice(third, 2 * third));
      await system.startApp('reward-service');
      await first.process.kill('SIGTERM');
      await system.placeOrders(orders, plan.slice(2 * third));
      await second.process.kill('SIGKILL');
    },
  },
  {
    id: 'hot-user',
    title: 'many orders of one user at once, through two order-service instances',
    mustFail: { 'version-in-message': 'orders that read the same wallet version: all but one dropped' },
    async run(system) {
      const orders = [await system.startApp('order-service'), await system.startApp('order-service')];
      await system.startApp('reward-service');
      await system.startApp('reward-service');
      const plan = mixedOrders(system.userPrefix, Math.min(ORDERS, 80), 1).map((o) => ({ ...o, quantity: 3 }));
      await system.placeOrders(orders, plan, 16);
    },
  },
  {
    id: 'lost-events',
    title: 'outbox rows deleted before publication; reconciler reissues, racing a delayed event',
    mustFail: {
      none: 'the delayed event and the reissue both credit',
      'inbox-no-tx': 'the event id guards redeliveries, not the other path: the late event credits again',
    },
    async run(system) {
      const orders = await system.startApp('order-service', { OUTBOX_RELAY_ENABLED: 'false' });
      await system.startApp('reward-service');
      const since = new Date(Date.now() - 1_000);
      const plan = mixedOrders(system.userPrefix, ORDERS, USERS).map(qualifyAll);
      // The delayed order is placed first, so it is the first the reconciler finds missing.
      const [delayed] = await system.placeOrders(orders, plan.slice(0, 1));
      const rest = await system.placeOrders(orders, plan.slice(1));
      await loseEvents(
        system,
        rest.filter((_, i) => i % 10 === 0),
      );
      await holdBack(system, delayed);
      await system.startApp('order-service');
      // The reconciler pauses before its first grant; meanwhile the held-back event is released.
      const cli = await system.reconcile({ FAILPOINTS: 'reconciler.before-grant=delay-once:3000' }, since);
      await pollUntil('the reconciliation to start', async () => ((await runningRuns(system)) > 0 ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      await release(system, delayed);
      const exit = await cli.exited;
      if (exit.code !== 0) throw new Error(`reconcile exited ${exit.code}:\n${cli.output().slice(-2000)}`);
    },
  },
];

function qualifyAll<T extends { quantity: number }>(order: T): T {
  return { ...order, quantity: 3 + (order.quantity % 3) };
}

async function reproduceTopic(system: SystemUnderTest, count: number): Promise<void> {
  const reader = await TopicReader.start(system.kafka, system.topic, `${system.namespace}.replayer`);
  const producer = testProducer();
  await producer.connect();
  try {
    await reader.waitFor(`${count} events to copy`, (messages) => messages.length >= count);
    await producer.send(
      system.topic,
      reader.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition: m.partition })),
    );
  } finally {
    await Promise.all([reader.stop(), producer.disconnect()]);
  }
}

async function loseEvents(system: SystemUnderTest, orders: PlacedOrder[]): Promise<void> {
  await system.dataSource.query(`DELETE FROM ordering.outbox WHERE payload->>'orderId' = ANY($1)`, [
    orders.map((o) => o.orderId),
  ]);
}

async function holdBack(system: SystemUnderTest, order: PlacedOrder): Promise<void> {
  await system.dataSource.query(
    `UPDATE ordering.outbox SET next_attempt_at = now() + interval '1 day' WHERE payload->>'orderId' = $1`,
    [order.orderId],
  );
}

async function release(system: SystemUnderTest, order: PlacedOrder): Promise<void> {
  await system.dataSource.query(`UPDATE ordering.outbox SET next_attempt_at = now() WHERE payload->>'orderId' = $1`, [
    order.orderId,
  ]);
}

async function runningRuns(system: SystemUnderTest): Promise<number> {
  const [row] = await system.dataSource.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM reconciliation.runs WHERE status = 'running' AND started_at > now() - interval '5 minutes'`,
  );
  return Number(row.n);
}

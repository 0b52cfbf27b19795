import { randomUUID } from 'node:crypto';
import { Metrics } from '@redpacket/observability';
import { ReconciliationAlreadyRunningError, type ReconciliationRun } from '@redpacket/reconciliation';
import { rewardFor } from '@redpacket/rewards';
import type { DataSource } from 'typeorm';
import { pollUntil } from '../../../testkit/infra/process-utils';
import { spawnTypeScript } from '../../../testkit/support/app-process';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';
import {
  type ReconcilerUnderTest,
  reconcilerDatabaseUrl,
  startReconciler,
  TEST_ADMIN_TOKEN,
} from '../../../testkit/support/reconciler.harness';
import { relayFor } from '../../../testkit/support/relay';
import { decisionOf, expectLedgerConsistent, ledgerOf } from '../../../testkit/support/rewards-ledger';
import { type RewardServiceUnderTest, startRewardService } from '../../../testkit/support/reward-service.harness';
import { createMigratedDatabase } from '../../../testkit/support/test-database';

const qualifying = (userId: string) => ({ userId, items: [{ sku: 'LAMP', quantity: 3 }] });
const ineligible = (userId: string) => ({ userId, items: [{ sku: 'PEN', quantity: 2 }] });

/** Places an order whose event never reaches Kafka: its outbox row is deleted before any relay runs. */
async function placeOrderAndLoseItsEvent(orders: OrderServiceUnderTest, body: { userId: string; items: object[] }) {
  const response = await orders.postOrder(body);
  const order = response.json<{ orderId: string; userId: string; itemCount: number; totalCents: number }>();
  await orders.dataSource.query(`DELETE FROM ordering.outbox WHERE payload->>'orderId' = $1`, [order.orderId]);
  return order;
}

async function ordersWindowStart(dataSource: DataSource): Promise<Date> {
  const [row] = await dataSource.query<{ now: Date }[]>('SELECT now() AS now');
  return row.now;
}

describe('the reconciler', () => {
  const namespace = testNamespace(__filename);
  let orders: OrderServiceUnderTest;
  let reconciler: ReconcilerUnderTest;

  beforeAll(async () => {
    orders = await startOrderService({ KAFKA_NAMESPACE: namespace, OUTBOX_RELAY_ENABLED: 'false' });
    reconciler = await startReconciler({ KAFKA_NAMESPACE: namespace });
  });
  afterAll(async () => {
    await reconciler.close();
    await orders.close();
  });

  it('grants exactly one packet for an order whose event was lost, and nothing on a second run', async () => {
    const since = await ordersWindowStart(orders.dataSource);
    const order = await placeOrderAndLoseItsEvent(orders, qualifying(`lost-${randomUUID()}`));

    const first = await reconciler.reconciliations.run({ trigger: 'cli', since });
    expect(first).toMatchObject({ status: 'succeeded', scanned: 1, eligible: 1, missing: 1, reissued: 1, failed: 0 });
    await expectLedgerConsistent(reconciler.dataSource, order.userId, {
      orderIds: [order.orderId],
      amountsCents: [rewardFor(order)],
    });
    expect((await ledgerOf(reconciler.dataSource, order.userId)).packets[0].source).toBe('reconciliation');

    const second = await reconciler.reconciliations.run({ trigger: 'cli', since });
    expect(second).toMatchObject({ status: 'succeeded', scanned: 1, missing: 0, eligible: 0, reissued: 0 });
    await expectLedgerConsistent(reconciler.dataSource, order.userId, { orderIds: [order.orderId] });
  });

  it('records an ineligible order as decided without paying it, and a dry run changes nothing', async () => {
    const since = await ordersWindowStart(orders.dataSource);
    const userId = `dry-${randomUUID()}`;
    const small = await placeOrderAndLoseItsEvent(orders, ineligible(userId));
    const big = await placeOrderAndLoseItsEvent(orders, qualifying(userId));

    const dry = await reconciler.reconciliations.run({ trigger: 'cli', since, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, scanned: 2, missing: 2, eligible: 1, reissued: 0, ineligible: 0 });
    await expectLedgerConsistent(reconciler.dataSource, userId, { orderIds: [] });

    const real = await reconciler.reconciliations.run({ trigger: 'cli', since });
    expect(real).toMatchObject({ scanned: 2, missing: 2, eligible: 1, reissued: 1, ineligible: 1 });
    await expectLedgerConsistent(reconciler.dataSource, userId, { orderIds: [big.orderId] });
    expect((await ledgerOf(reconciler.dataSource, userId)).packets.map((p) => p.orderId)).not.toContain(small.orderId);
  });

  it('leaves orders younger than the grace period to the event path', async () => {
    const graceful = await startReconciler({ KAFKA_NAMESPACE: namespace, RECONCILER_GRACE_SECONDS: '300' });
    try {
      const since = await ordersWindowStart(orders.dataSource);
      const order = await placeOrderAndLoseItsEvent(orders, qualifying(`young-${randomUUID()}`));
      const run = await graceful.reconciliations.run({ trigger: 'cli', since });
      expect(run).toMatchObject({ scanned: 0, reissued: 0 });
      await expectLedgerConsistent(graceful.dataSource, order.userId, { orderIds: [] });
    } finally {
      await graceful.close();
    }
  });

  it('runs one reconciliation at a time across instances: a second one is refused while the first runs', async () => {
    const since = await ordersWindowStart(orders.dataSource);
    const holder = spawnTypeScript(['scripts/reconcile.ts', '--since', since.toISOString()], {
      DATABASE_URL: reconcilerDatabaseUrl(),
      KAFKA_NAMESPACE: namespace,
      RECONCILER_GRACE_SECONDS: '0',
      FAILPOINTS: 'reconciler.after-lock=delay:5000',
    });
    try {
      await pollUntil(
        'the other reconciler to hold the lock',
        async () =>
          (
            await reconciler.dataSource.query<unknown[]>(
              `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'reconciler'
                  AND a.pid <> pg_backend_pid() AND a.datname = current_database()`,
            )
          ).length > 0
            ? true
            : undefined,
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      await expect(reconciler.reconciliations.run({ trigger: 'cli', since })).rejects.toBeInstanceOf(
        ReconciliationAlreadyRunningError,
      );
      const viaApi = await reconciler.request({
        method: 'POST',
        url: '/admin/reconciliations',
        payload: {},
        token: TEST_ADMIN_TOKEN,
      });
      expect(viaApi.statusCode).toBe(409);
      expect(viaApi.json()).toMatchObject({ code: 'RECONCILIATION_ALREADY_RUNNING' });
    } finally {
      const exit = await holder.exited;
      expect(exit.code).toBe(0);
    }
    await expect(reconciler.reconciliations.run({ trigger: 'cli', since })).resolves.toMatchObject({
      status: 'succeeded',
    });
  });

  it('guards the admin endpoint with a bearer token and reports runs', async () => {
    expect((await reconciler.request({ method: 'POST', url: '/admin/reconciliations', payload: {} })).statusCode).toBe(
      401,
    );
    expect(
      (
        await reconciler.request({
          method: 'POST',
          url: '/admin/reconciliations',
          payload: {},
          token: 'wrong-token-0123456789',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await reconciler.request({ method: 'GET', url: `/admin/reconciliations/${randomUUID()}` })).statusCode,
    ).toBe(401);

    const since = await ordersWindowStart(orders.dataSource);
    const order = await placeOrderAndLoseItsEvent(orders, qualifying(`api-${randomUUID()}`));
    const started = await reconciler.request({
      method: 'POST',
      url: '/admin/reconciliations',
      payload: { since: since.toISOString() },
      token: TEST_ADMIN_TOKEN,
    });
    expect(started.statusCode).toBe(201);
    const run = started.json<ReconciliationRun>();
    expect(run).toMatchObject({ trigger: 'api', reissued: 1, status: 'succeeded' });

    const report = await reconciler.request({
      method: 'GET',
      url: `/admin/reconciliations/${run.runId}`,
      token: TEST_ADMIN_TOKEN,
    });
    expect(report.statusCode).toBe(200);
    expect(report.json()).toEqual(run);
    const missing = await reconciler.request({
      method: 'GET',
      url: `/admin/reconciliations/${randomUUID()}`,
      token: TEST_ADMIN_TOKEN,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ statusCode: 404, code: 'RECONCILIATION_RUN_NOT_FOUND' });
    const bad = await reconciler.request({
      method: 'POST',
      url: '/admin/reconciliations',
      payload: { since: 'yesterday' },
      token: TEST_ADMIN_TOKEN,
    });
    expect(bad.statusCode).toBe(400);
    await expectLedgerConsistent(reconciler.dataSource, order.userId, { orderIds: [order.orderId] });
  });
});

describe('the reconciler racing the event path', () => {
  const namespace = testNamespace(__filename);
  let orders: OrderServiceUnderTest;
  let rewards: RewardServiceUnderTest;

  beforeAll(async () => {
    orders = await startOrderService({ KAFKA_NAMESPACE: namespace, OUTBOX_RELAY_ENABLED: 'false' });
    rewards = await startRewardService({ KAFKA_NAMESPACE: namespace, OUTBOX_RELAY_ENABLED: 'false' });
  });
  afterAll(async () => {
    await rewards.close();
    await orders.close();
  });

  it('gives one packet and one credit when a delayed event is released while the reconciler reissues', async () => {
    const since = await ordersWindowStart(orders.dataSource);
    const userId = `race-${randomUUID()}`;
    const response = await orders.postOrder(qualifying(userId));
    const order = response.json<{ orderId: string; itemCount: number; totalCents: number }>();

    // The reconciler finds the order without a packet and is about to grant it: it is frozen there
    // (SIGSTOP) while the delayed event is released and the consumer grants the packet first.
    const cli = spawnTypeScript(['scripts/reconcile.ts', '--since', since.toISOString()], {
      DATABASE_URL: reconcilerDatabaseUrl(),
      KAFKA_NAMESPACE: namespace,
      RECONCILER_GRACE_SECONDS: '0',
      LOG_LEVEL: 'debug',
      FAILPOINTS: 'reconciler.before-grant=delay:2000',
    });
    await pollUntil(
      'the reconciler to reach the grant of the missing order',
      async () =>
        cli.output().includes('"message":"granting a missing red packet"') && cli.output().includes(order.orderId)
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    cli.child.kill('SIGSTOP');
    const relay = relayFor(orders.dataSource);
    try {
      await relay.start();
      await pollUntil(
        'the event path to grant the packet',
        async () => ((await ledgerOf(orders.dataSource, userId)).packets.length === 1 ? true : undefined),
        { timeoutMs: 30_000 },
      );
    } finally {
      cli.child.kill('SIGCONT');
      await relay.stop();
    }
    expect((await cli.exited).code).toBe(0);
    const report = JSON.parse(cli.output().slice(cli.output().indexOf('{\n'))) as ReconciliationRun;
    expect(report).toMatchObject({ missing: 1, reissued: 0, alreadyDecided: 1 });
    await expectLedgerConsistent(orders.dataSource, userId, {
      orderIds: [order.orderId],
      amountsCents: [rewardFor(order)],
    });
    expect((await ledgerOf(orders.dataSource, userId)).packets[0].source).toBe('event');
  });
});

/**
 * The high-water mark and the pending repairs are global to a database, so these runs go on in one of their
 * own. No overlap: an incremental run starts exactly where the last one ended, so only the pending repairs can
 * bring back an order before that.
 */
describe('a reissue that fails is not forgotten', () => {
  const namespace = testNamespace(__filename);
  let database: { url: string; drop(): Promise<void> };
  let orders: OrderServiceUnderTest;
  let rewards: RewardServiceUnderTest;
  let reconciler: ReconcilerUnderTest;
  let reconcilerEnv: Record<string, string>;

  beforeAll(async () => {
    database = await createMigratedDatabase('pending');
    const env = { DATABASE_URL: database.url, KAFKA_NAMESPACE: namespace, OUTBOX_RELAY_ENABLED: 'false' };
    orders = await startOrderService(env);
    rewards = await startRewardService(env);
    reconcilerEnv = {
      DATABASE_URL: reconcilerDatabaseUrl(database.url),
      KAFKA_NAMESPACE: namespace,
      RECONCILER_OVERLAP_SECONDS: '0',
    };
    reconciler = await startReconciler(reconcilerEnv);
  });
  afterAll(async () => {
    await reconciler?.close();
    await rewards?.close();
    await orders?.close();
    await database?.drop();
  });

  const scheduledRun = (options: { dryRun?: boolean } = {}) =>
    reconciler.reconciliations.run({ trigger: 'schedule', scan: 'incremental', ...options });
  /** An incremental run from the CLI, in a process of its own whose reissues fail as `failpoints` say. */
  const runFailingReissues = async (failpoints: string): Promise<ReconciliationRun> => {
    const cli = spawnTypeScript(['scripts/reconcile.ts'], {
      ...reconcilerEnv,
      RECONCILER_GRACE_SECONDS: '0',
      FAILPOINTS: failpoints,
    });
    expect((await cli.exited).code).toBe(0);
    return JSON.parse(cli.output().slice(cli.output().indexOf('{\n'))) as ReconciliationRun;
  };
  /** The relay publishes the orders' waiting events, and the consumer decides them. */
  const deliverLateEvents = async (...late: { orderId: string }[]) => {
    const relay = relayFor(orders.dataSource, { databaseUrl: database.url });
    await relay.start();
    try {
      await pollUntil(
        'the event path to decide the late orders',
        async () =>
          (await Promise.all(late.map((o) => decisionOf(orders.dataSource, o.orderId)))).every(Boolean)
            ? true
            : undefined,
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    } finally {
      await relay.stop();
    }
  };
  const pendingRepairs = () =>
    reconciler.dataSource.query<{ order_id: string; attempts: number; last_error: string }[]>(
      'SELECT order_id, attempts, last_error FROM reconciliation.pending_repairs ORDER BY first_failed_at',
    );
  const pendingGauge = async () =>
    (await reconciler.app.get(Metrics).reconciliationPendingRepairs.get()).values[0]?.value;
  const decisionsOf = async (orderIds: string[]) =>
    (
      await reconciler.dataSource.query<{ order_id: string }[]>(
        'SELECT order_id FROM rewards.reward_decisions WHERE order_id = ANY($1) ORDER BY order_id',
        [orderIds],
      )
    ).map((row) => row.order_id);

  it('keeps an order whose reissue failed due, and the next scheduled incremental run pays it once', async () => {
    await scheduledRun(); // the first run covers the history so far and sets the high-water mark
    const userId = `pending-${randomUUID()}`;
    const placed = [];
    for (let i = 0; i < 3; i += 1) placed.push(await placeOrderAndLoseItsEvent(orders, qualifying(userId)));
    const orderIds = placed.map((order) => order.orderId);

    const failing = await runFailingReissues('reconciler.before-grant=error-once');
    expect(failing).toMatchObject({ scan: 'incremental', status: 'succeeded', missing: 3, reissued: 2, failed: 1 });
    expect(failing).toMatchObject({ pendingRetried: 0, pendingLeft: 1 });
    expect(await pendingRepairs()).toEqual([
      { order_id: placed[0].orderId, attempts: 1, last_error: 'failpoint reconciler.before-grant' },
    ]);

    // A dry run retries nothing, but counts what is pending.
    await expect(scheduledRun({ dryRun: true })).resolves.toMatchObject({ pendingRetried: 0, pendingLeft: 1 });
    expect(await pendingGauge()).toBe(1);

    const next = await scheduledRun();
    // It starts where the failing run ended, past the failed order: the pending repairs brought it back.
    expect(next).toMatchObject({ scan: 'incremental', since: failing.until, status: 'succeeded' });
    expect(next).toMatchObject({ scanned: 1, pendingRetried: 1, reissued: 1, failed: 0, pendingLeft: 0 });
    expect(await pendingRepairs()).toEqual([]);
    expect(await pendingGauge()).toBe(0);
    await expectLedgerConsistent(reconciler.dataSource, userId, {
      orderIds,
      amountsCents: placed.map((o) => rewardFor(o)),
    });
    expect(await decisionsOf(orderIds)).toEqual([...orderIds].sort());
  });

  it('retries every pending repair on each run: one that fails again stays, one a late event decided leaves', async () => {
    const userId = `retried-${randomUUID()}`;
    const stuck = await placeOrderAndLoseItsEvent(orders, qualifying(userId));
    const late = (await orders.postOrder(qualifying(userId))).json<{ orderId: string }>(); // its event waits
    const first = await runFailingReissues('reconciler.before-grant=error');
    expect(first).toMatchObject({ missing: 2, failed: 2, pendingLeft: 2 });

    await deliverLateEvents(late);
    const again = await runFailingReissues('reconciler.before-grant=error');

    expect(again).toMatchObject({ pendingRetried: 2, failed: 1, reissued: 0, pendingLeft: 1 });
    expect(await pendingRepairs()).toEqual([
      { order_id: stuck.orderId, attempts: 2, last_error: 'failpoint reconciler.before-grant' },
    ]);
    await expect(scheduledRun()).resolves.toMatchObject({ pendingRetried: 1, reissued: 1, pendingLeft: 0 });
    await expectLedgerConsistent(reconciler.dataSource, userId, { orderIds: [stuck.orderId, late.orderId] });
    const sources = (await ledgerOf(reconciler.dataSource, userId)).packets.map((p) => [p.orderId, p.source]);
    expect(sources).toEqual(
      expect.arrayContaining([
        [stuck.orderId, 'reconciliation'],
        [late.orderId, 'event'],
      ]),
    );
  });
});

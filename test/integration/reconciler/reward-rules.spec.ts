import { randomUUID } from 'node:crypto';
import { ConfigValidationError } from '@redpacket/config';
import { namespaced, newEventId, TOPICS } from '@redpacket/contracts';
import { readRuleChanges, RuleChangeWatch } from '@redpacket/monitoring';
import type { ReconciliationRun } from '@redpacket/reconciliation';
import { rewardFor, RewardRulesRepository } from '@redpacket/rewards';
import type { DataSource } from 'typeorm';
import { pollUntil } from '../../../testkit/infra/process-utils';
import { asMessage, orderPurchased } from '../../../testkit/support/events';
import { testProducer } from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';
import {
  reconcilerDatabaseUrl,
  type ReconcilerUnderTest,
  startReconciler,
  TEST_ADMIN_TOKEN,
} from '../../../testkit/support/reconciler.harness';
import { relayFor } from '../../../testkit/support/relay';
import { decisionOf, expectLedgerConsistent, ledgerOf } from '../../../testkit/support/rewards-ledger';
import { type RewardServiceUnderTest, startRewardService } from '../../../testkit/support/reward-service.harness';
import { createMigratedDatabase } from '../../../testkit/support/test-database';

interface PlacedOrder {
  orderId: string;
  userId: string;
  itemCount: number;
  totalCents: number;
}

const twoItems = (userId: string) => ({ userId, items: [{ sku: 'LAMP', quantity: 2 }] });
const CAMPAIGN = { minItems: 2, percentBasisPoints: 1_000, minCents: 200, maxCents: 8_000 };

async function databaseNow(dataSource: DataSource): Promise<Date> {
  const [row] = await dataSource.query<{ now: Date }[]>('SELECT now() AS now');
  return row.now;
}

/**
 * Rules are global to a database, so these tests change them in a database of their own: order service,
 * reward service (consuming from Kafka) and reconciler (as its own role), all on it.
 */
describe('reward rules as data, decided once', () => {
  const namespace = testNamespace(__filename);
  let database: { url: string; drop(): Promise<void> };
  let orders: OrderServiceUnderTest;
  let rewards: RewardServiceUnderTest;
  let reconciler: ReconcilerUnderTest;
  let relay: ReturnType<typeof relayFor>;

  beforeAll(async () => {
    database = await createMigratedDatabase('rules');
    const env = {
      DATABASE_URL: database.url,
      KAFKA_NAMESPACE: namespace,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ADMIN_CREDENTIALS: SCOPED_CREDENTIALS,
    };
    orders = await startOrderService({ ...env, OUTBOX_RELAY_ENABLED: 'false' });
    rewards = await startRewardService({ ...env, OUTBOX_RELAY_ENABLED: 'false' });
    reconciler = await startReconciler({ ...env, DATABASE_URL: reconcilerDatabaseUrl(database.url) });
    relay = relayFor(orders.dataSource, { databaseUrl: database.url });
  });
  afterAll(async () => {
    await relay.stop().catch(() => undefined);
    await reconciler?.close();
    await rewards?.close();
    await orders?.close();
    await database?.drop();
  });

  const placeOrder = async (body: { userId: string; items: object[] }): Promise<PlacedOrder> => {
    const response = await orders.postOrder(body);
    expect(response.statusCode).toBe(201);
    return response.json<PlacedOrder>();
  };
  /** Its outbox row is deleted before the relay runs: the event never reaches Kafka. */
  const placeOrderAndLoseItsEvent = async (body: { userId: string; items: object[] }) => {
    const order = await placeOrder(body);
    await orders.dataSource.query(`DELETE FROM ordering.outbox WHERE payload->>'orderId' = $1`, [order.orderId]);
    return order;
  };
  /** The relay publishes what is in the outbox, and the consumer records a decision for each order. */
  const deliverThroughKafka = async (...placed: PlacedOrder[]) => {
    await relay.start();
    try {
      await pollUntil(
        'the consumer to decide every delivered order',
        async () =>
          (await Promise.all(placed.map((o) => decisionOf(orders.dataSource, o.orderId)))).every(Boolean)
            ? true
            : undefined,
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    } finally {
      await relay.stop();
    }
  };
  const addRule = (body: object, token = TEST_ADMIN_TOKEN) =>
    rewards.request({ method: 'POST', url: '/admin/reward-rules', payload: body, headers: auth(token) });
  const fullScan = () => reconciler.reconciliations.run({ trigger: 'cli', scan: 'full' });

  it('guards the rule timeline with the admin token and refuses a rule that is broken or not in the future', async () => {
    expect((await rewards.request({ method: 'GET', url: '/admin/reward-rules' })).statusCode).toBe(401);
    expect(
      (await addRule({ ...CAMPAIGN, effectiveFrom: new Date().toISOString() }, 'wrong-0123456789abc')).statusCode,
    ).toBe(403);

    const past = await addRule({ ...CAMPAIGN, effectiveFrom: new Date(Date.now() - 60_000).toISOString() });
    expect(past.statusCode).toBe(400);
    expect(past.json()).toMatchObject({
      errors: [{ field: 'effectiveFrom', messages: [expect.stringMatching(/at least 2 seconds after it is written/)] }],
    });
    const inverted = await addRule({ ...CAMPAIGN, minCents: 900, maxCents: 100, effectiveFrom: soon() });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json()).toMatchObject({
      errors: [{ field: 'rule', messages: [expect.stringMatching(/minCents/)] }],
    });
    const fractional = await addRule({ ...CAMPAIGN, percentBasisPoints: 2.5, effectiveFrom: soon() });
    expect(fractional.statusCode).toBe(400);
    // Past the ceilings (REWARD_RULE_MAX_PERCENT_BASIS_POINTS 2,000, REWARD_RULE_MAX_PACKET_CENTS 10,000),
    // whoever holds the admin token: a stolen one cannot set a rule that pays without bound.
    const lavish = await addRule({
      ...CAMPAIGN,
      percentBasisPoints: 10_000,
      maxCents: 1_000_000,
      effectiveFrom: soon(),
    });
    expect(lavish.statusCode).toBe(400);
    expect(lavish.json()).toMatchObject({
      errors: [
        {
          field: 'rule',
          messages: [
            'percentBasisPoints must be at most 2000, got 10000',
            'maxCents must be at most 10000, got 1000000',
          ],
        },
      ],
    });

    const timeline = await rewards.request({
      method: 'GET',
      url: '/admin/reward-rules',
      headers: auth(TEST_ADMIN_TOKEN),
    });
    expect(timeline.json()).toEqual({
      items: [expect.objectContaining({ version: 1, minItems: 3, percentBasisPoints: 500, createdBy: 'migration' })],
    });
    await expect(orders.dataSource.query('UPDATE rewards.reward_rules SET min_items = 1')).rejects.toThrow(
      /append-only/,
    );
    await expect(orders.dataSource.query('DELETE FROM rewards.reward_rules')).rejects.toThrow(/append-only/);
  });

  it('refuses to boot an app still configured with a rule of its own, naming every variable', async () => {
    const boot = startReconciler({
      DATABASE_URL: reconcilerDatabaseUrl(database.url),
      KAFKA_NAMESPACE: namespace,
      REWARD_MIN_ITEMS: '2',
      REWARD_PERCENT_BASIS_POINTS: '900',
    });
    await expect(boot).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(boot).rejects.toThrow(
      /REWARD_MIN_ITEMS is no longer read.*\n?.*REWARD_PERCENT_BASIS_POINTS is no longer read/s,
    );
    await expect(
      startRewardService({ DATABASE_URL: database.url, KAFKA_NAMESPACE: namespace, REWARD_MIN_CENTS: '0' }),
    ).rejects.toThrow(/REWARD_MIN_CENTS is no longer read/);
  });

  it('judges every order by the rule of its time: a new rule pays no history, and a lost event is paid once under its own', async () => {
    const userId = `campaign-${randomUUID()}`;
    // Under version 1 (3 items or more), a 2-item order is refused by the consumer; another one's event is lost.
    const refused = await placeOrder(twoItems(userId));
    await deliverThroughKafka(refused);
    const lostBefore = await placeOrderAndLoseItsEvent(twoItems(userId));
    expect(await decisionOf(orders.dataSource, refused.orderId)).toMatchObject({
      outcome: 'ineligible',
      ruleVersion: 1,
    });

    // The campaign: 2 items qualify, 10 %, from a moment just ahead.
    const effectiveFrom = new Date((await databaseNow(orders.dataSource)).getTime() + 2_500);
    const added = await addRule({ ...CAMPAIGN, effectiveFrom: effectiveFrom.toISOString(), note: 'two-item week' });
    expect(added.statusCode).toBe(201);
    const campaign = added.json<{ version: number }>();
    expect(campaign.version).toBeGreaterThan(1); // a refused insert still uses up an identity value
    await pollUntil(
      'the campaign to take effect',
      async () => ((await databaseNow(orders.dataSource)) >= effectiveFrom ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 100 },
    );

    // History stays as it was decided, and an order placed before the change is judged by the rule of then.
    const afterChange = await fullScan();
    expect(afterChange).toMatchObject({ status: 'succeeded', missing: 1, eligible: 0, ineligible: 1, reissued: 0 });
    expect(await decisionOf(orders.dataSource, refused.orderId)).toMatchObject({
      outcome: 'ineligible',
      source: 'event',
    });
    expect(await decisionOf(orders.dataSource, lostBefore.orderId)).toMatchObject({
      outcome: 'ineligible',
      ruleVersion: 1,
      source: 'reconciliation',
    });
    await expectLedgerConsistent(orders.dataSource, userId, { orderIds: [] });

    // Orders placed under the campaign qualify, on the event path and through the reconciler alike, once.
    const paid = await placeOrder(twoItems(userId));
    await deliverThroughKafka(paid);
    const lostDuring = await placeOrderAndLoseItsEvent(twoItems(userId));
    const reissue = await fullScan();
    expect(reissue).toMatchObject({ missing: 1, eligible: 1, reissued: 1, ineligible: 0 });
    expect((await fullScan()).missing).toBe(0);

    const expected = rewardFor(paid, CAMPAIGN);
    expect(expected).toBe(800); // 10 % of 2 × 40.00 (the catalogue's LAMP)
    for (const order of [paid, lostDuring]) {
      expect(await decisionOf(orders.dataSource, order.orderId)).toMatchObject({
        outcome: 'granted',
        ruleVersion: campaign.version,
        amountCents: expected,
      });
    }
    await expectLedgerConsistent(orders.dataSource, userId, {
      orderIds: [paid.orderId, lostDuring.orderId],
      amountsCents: [expected, expected],
    });
    expect((await ledgerOf(orders.dataSource, userId)).packets.map((p) => p.source).sort()).toEqual([
      'event',
      'reconciliation',
    ]);
  });

  it('scans from the high-water mark minus the overlap on schedule, so a run costs what is new; a full scan covers all', async () => {
    const incremental = await startReconciler({
      DATABASE_URL: reconcilerDatabaseUrl(database.url),
      KAFKA_NAMESPACE: namespace,
      RECONCILER_OVERLAP_SECONDS: '0',
    });
    try {
      const baseline = await incremental.reconciliations.run({ trigger: 'schedule', scan: 'incremental' });
      expect(baseline.scan).toBe('incremental'); // the full scans above left a high-water mark
      const lost = await placeOrderAndLoseItsEvent({
        userId: `incremental-${randomUUID()}`,
        items: [{ sku: 'LAMP', quantity: 3 }],
      });

      const next = await incremental.reconciliations.run({ trigger: 'schedule', scan: 'incremental' });

      expect(next).toMatchObject({ scan: 'incremental', since: baseline.until, scanned: 1, missing: 1, reissued: 1 });
      const full = await fullScan();
      expect(full).toMatchObject({ scan: 'full', since: null, missing: 0 });
      expect(full.scanned).toBeGreaterThan(next.scanned);
      await expectLedgerConsistent(orders.dataSource, lost.userId, { orderIds: [lost.orderId] });
    } finally {
      await incremental.close();
    }
  });

  it('shows a forged OrderPurchased that got onto the topic as an orphan packet, and one for a real order as a mismatch', async () => {
    const since = await databaseNow(orders.dataSource);
    const forger = `forged-${randomUUID()}`;
    // A real order whose event is lost, so the forged event with a made-up total is the first to arrive for it.
    const real = await placeOrderAndLoseItsEvent({ userId: forger, items: [{ sku: 'PEN', quantity: 3 }] });
    const invented = orderPurchased({ userId: forger, itemCount: 5, totalCents: 999_999 });
    const inflated = orderPurchased({ orderId: real.orderId, userId: forger, itemCount: 5, totalCents: 999_999 });
    const producer = testProducer();
    await producer.connect();
    try {
      // Anyone who reaches the broker can write this today: it is PLAINTEXT, without ACLs.
      await producer.send(namespaced(namespace, TOPICS.orderPurchased), [asMessage(invented), asMessage(inflated)]);
    } finally {
      await producer.disconnect();
    }
    await pollUntil(
      'the consumer to pay both forged events',
      async () => ((await ledgerOf(orders.dataSource, forger)).packets.length === 2 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    const run = await reconciler.reconciliations.run({ trigger: 'cli', since });

    expect(run).toMatchObject({ orphanPackets: 1, amountMismatches: 1, walletDrifts: 0 });
    expect(run.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'orphan-packet', orderId: invented.orderId, userId: forger }),
        expect.objectContaining({
          kind: 'amount-mismatch',
          orderId: real.orderId,
          actualCents: '999999',
          expectedCents: String(real.totalCents),
        }),
      ]),
    );
  });

  it('reports a forged packet, a wrong amount and a drifted wallet, and changes none of them', async () => {
    const since = await databaseNow(orders.dataSource);
    const [forger, skimmer, drifter] = ['forger', 'skimmer', 'drifter'].map((who) => `${who}-${randomUUID()}`);
    const skimmed = await placeOrder({ userId: skimmer, items: [{ sku: 'LAMP', quantity: 3 }] });
    const drifted = await placeOrder({ userId: drifter, items: [{ sku: 'LAMP', quantity: 3 }] });
    await deliverThroughKafka(skimmed, drifted);

    // Written straight into the tables, as someone with write access could.
    await orders.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO rewards.red_packets (packet_id, order_id, user_id, amount_cents, source) VALUES ($1, $2, $3, 4200, 'event')`,
        [newEventId(), newEventId(), forger],
      );
      await manager.query(`INSERT INTO rewards.wallets (user_id, balance_cents) VALUES ($1, 4200)`, [forger]);
      await manager.query('UPDATE rewards.red_packets SET amount_cents = amount_cents + 1000 WHERE order_id = $1', [
        skimmed.orderId,
      ]);
      await manager.query(
        'UPDATE rewards.wallets SET balance_cents = balance_cents + 1000, updated_at = now() WHERE user_id = $1',
        [skimmer],
      );
      await manager.query(
        'UPDATE rewards.wallets SET balance_cents = balance_cents + 7, updated_at = now() WHERE user_id = $1',
        [drifter],
      );
    });
    const before = await Promise.all([forger, skimmer, drifter].map((u) => ledgerOf(orders.dataSource, u)));
    const decided = async (order: PlacedOrder) =>
      (await decisionOf(orders.dataSource, order.orderId))?.amountCents ?? NaN;
    const [skimmedCents, driftedCents] = [await decided(skimmed), await decided(drifted)];

    const run = await reconciler.reconciliations.run({ trigger: 'cli', since });

    expect(run).toMatchObject({ status: 'succeeded', orphanPackets: 1, amountMismatches: 1, walletDrifts: 1 });
    expect(run.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'orphan-packet', userId: forger, actualCents: '4200' }),
        expect.objectContaining({
          kind: 'amount-mismatch',
          orderId: skimmed.orderId,
          actualCents: String(skimmedCents + 1000),
          expectedCents: String(skimmedCents),
        }),
        expect.objectContaining({
          kind: 'wallet-drift',
          userId: drifter,
          actualCents: String(driftedCents + 7),
          expectedCents: String(driftedCents),
        }),
      ]),
    );
    expect(await Promise.all([forger, skimmer, drifter].map((u) => ledgerOf(orders.dataSource, u)))).toEqual(before);
    expect((await reconciler.request({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const metrics = await reconciler.request({ method: 'GET', url: '/metrics', token: TEST_ADMIN_TOKEN });
    for (const kind of ['orphan_packet', 'amount_mismatch', 'wallet_drift']) {
      expect(metrics.body).toMatch(
        new RegExp(`redpacket_reconciliation_discrepancies_found_total\\{kind="${kind}"\\} [1-9]`),
      );
    }
    const report = await reconciler.request({
      method: 'GET',
      url: `/admin/reconciliations/${run.runId}`,
      token: TEST_ADMIN_TOKEN,
    });
    expect(report.json<ReconciliationRun>()).toMatchObject({ orphanPackets: 1, amountMismatches: 1, walletDrifts: 1 });
  });

  it('takes a rule change only from a credential holding `rules`, records who made it, and the monitor shows it', async () => {
    const rule = { ...CAMPAIGN, note: 'scoped change', effectiveFrom: new Date(Date.now() + 86_400_000).toISOString() };
    // The monitor's own credentials: its probe token, and the read token operators use on its pages.
    const byMonitor = await addRule(rule, PROBES_TOKEN);
    expect(byMonitor.statusCode).toBe(403);
    expect(byMonitor.json()).toMatchObject({ message: 'the credential monitor does not hold the rules scope' });
    const byViewer = await addRule(rule, READ_TOKEN);
    expect(byViewer.statusCode).toBe(403);
    expect(byViewer.json()).toMatchObject({ message: 'the credential viewer does not hold the rules scope' });
    expect(
      (await rewards.request({ method: 'GET', url: '/admin/reward-rules', headers: auth(RULES_TOKEN) })).statusCode,
    ).toBe(403);
    const runs = await reconciler.request({
      method: 'POST',
      url: '/admin/reconciliations',
      payload: { dryRun: true },
      token: RULES_TOKEN,
    });
    expect(runs.statusCode).toBe(403);
    const rulesBefore = await readRuleChanges(new RewardRulesRepository(orders.dataSource));

    const added = await addRule(rule, RULES_TOKEN);
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ createdBy: 'campaigns', note: 'scoped change' });
    const timeline = await rewards.request({ method: 'GET', url: '/admin/reward-rules', headers: auth(READ_TOKEN) });
    expect(timeline.json<{ items: { createdBy: string }[] }>().items.map((item) => item.createdBy)).toContain(
      'campaigns',
    );
    const [newest] = await readRuleChanges(new RewardRulesRepository(orders.dataSource));
    expect(newest).toMatchObject({
      version: rulesBefore[0].version + 1,
      createdBy: 'campaigns',
      note: 'scoped change',
    });
    const watch = new RuleChangeWatch();
    expect(watch.added(rulesBefore)).toEqual([]);
    expect(watch.added(await readRuleChanges(new RewardRulesRepository(orders.dataSource)))).toEqual([newest]);
  });
});

const RULES_TOKEN = 'rules-token-0123456789abcdef';
const READ_TOKEN = 'read-token-0123456789abcdef';
const PROBES_TOKEN = 'probes-token-0123456789abcdef';
/** Beside ADMIN_TOKEN: a rule author, an operator who reads, and the monitor's probe writer. */
const SCOPED_CREDENTIALS = `campaigns:rules:${RULES_TOKEN},viewer:read:${READ_TOKEN},monitor:probes:${PROBES_TOKEN}`;

function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function soon(): string {
  return new Date(Date.now() + 60_000).toISOString();
}

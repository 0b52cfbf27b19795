import { randomUUID } from 'node:crypto';
import { TEST_ADMIN_TOKEN } from '../../testkit/support/reconciler.harness';
import { TopicReader } from '../../testkit/support/topic-reader';
import { pollUntil } from '../../testkit/infra/process-utils';
import { openMonitorPage } from '../../testkit/system/monitor-client';
import { type RunningApp, SystemUnderTest } from '../../testkit/system/system';

jest.setTimeout(180_000);

interface TimelineStep {
  step: string;
  at: string;
  sincePreviousMs: number | null;
  details: Record<string, string | number | boolean | null>;
}
interface Timeline {
  orderId: string;
  userId: string;
  steps: TimelineStep[];
  notes: string[];
}

const WAIT = { timeoutMs: 60_000 };

const asAdmin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

async function timelineOf(monitor: RunningApp, orderId: string): Promise<Timeline> {
  const response = await fetch(`${monitor.url}/api/orders/${orderId}/timeline`, { headers: asAdmin });
  if (!response.ok) throw new Error(`timeline of ${orderId}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Timeline;
}

const named = (timeline: Timeline, step: string) => timeline.steps.find((s) => s.step === step);

/** Every step after the first says how long after the one before it came, and none came before it. */
function expectDelaysBetweenSteps(timeline: Timeline): void {
  expect(timeline.steps[0].sincePreviousMs).toBeNull();
  timeline.steps.slice(1).forEach((step, i) => {
    expect({ step: step.step, delay: step.sincePreviousMs }).toEqual({ step: step.step, delay: expect.any(Number) });
    expect(Date.parse(step.at) - Date.parse(timeline.steps[i].at)).toBe(step.sincePreviousMs);
  });
  const placed = Date.parse(timeline.steps[0].at);
  for (const step of timeline.steps) expect(Date.parse(step.at)).toBeGreaterThanOrEqual(placed);
}

async function walletOf(system: SystemUnderTest, userId: string) {
  const [row] = await system.dataSource.query<{ packets: string; sum: string; balance: string }[]>(
    `SELECT (SELECT count(*) FROM rewards.red_packets WHERE user_id = $1) AS packets,
            (SELECT coalesce(sum(amount_cents), 0) FROM rewards.red_packets WHERE user_id = $1) AS sum,
            (SELECT balance_cents FROM rewards.wallets WHERE user_id = $1) AS balance`,
    [userId],
  );
  return { packets: Number(row.packets), sum: Number(row.sum), balance: Number(row.balance) };
}

describe("one order's timeline, from the monitor", () => {
  let system: SystemUnderTest;
  let orders: RunningApp;
  let monitor: RunningApp;

  beforeAll(async () => {
    system = new SystemUnderTest('inbox-tx');
    await system.start();
    orders = await system.startApp('order-service');
    await system.startApp('reward-service');
    monitor = await system.startApp('monitor', { PROBES_ENABLED: 'false' });
  });

  afterAll(() => system?.stop());

  it('shows an order delivered four times: placed, published, consumed (where, and how often), decided, packet, credit, granted event', async () => {
    const userId = `${system.userPrefix}-redelivered`;
    const [placed] = await system.placeOrders(orders, [{ userId, sku: 'MUG', quantity: 3 }]);
    await pollUntil(
      'the packet',
      async () => ((await walletOf(system, userId)).packets === 1 ? true : undefined),
      WAIT,
    );

    // Three redeliveries of the very message: the relay resending it after a crash would look the same.
    const reader = await TopicReader.start(system.kafka, system.topic, `${system.group}.timeline-${randomUUID()}`);
    const original = await pollUntil(
      'the event on its topic',
      async () => Promise.resolve(reader.messages.find((m) => m.value?.toString().includes(placed.orderId))),
      WAIT,
    ).finally(() => reader.stop());
    const producer = system.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let i = 0; i < 3; i++) {
        await producer.send({
          topic: system.topic,
          acks: -1,
          messages: [{ key: original.key, value: original.value, headers: original.headers }],
        });
      }
    } finally {
      await producer.disconnect();
    }

    const timeline = await pollUntil(
      'four deliveries on the timeline',
      async () => {
        const read = await timelineOf(monitor, placed.orderId);
        return named(read, 'consumed')?.details.deliveries === 4 ? read : undefined;
      },
      WAIT,
    );
    expect(timeline).toMatchObject({ orderId: placed.orderId, userId });
    expect(timeline.steps.map((s) => s.step)).toEqual([
      'placed',
      'published',
      'consumed',
      'decided',
      'packet granted',
      'wallet credited',
      'granted event published',
    ]);
    expect(named(timeline, 'consumed')?.details).toMatchObject({
      partition: original.partition,
      offset: original.offset,
      deliveries: 4,
    });
    expect(named(timeline, 'decided')?.details).toMatchObject({
      outcome: 'granted',
      source: 'event',
      amountCents: 187,
    });
    expectDelaysBetweenSteps(timeline);
    // Four deliveries, one packet, one credit.
    expect(await walletOf(system, userId)).toEqual({ packets: 1, sum: 187, balance: 187 });
  });

  it('refuses a request without the admin token (401), with a wrong one (403), for a non-UUID (400) and an unknown order (404)', async () => {
    const status = async (path: string, headers: Record<string, string> = asAdmin) =>
      (await fetch(`${monitor.url}${path}`, { headers })).status;
    const someId = randomUUID();
    expect(await status(`/api/orders/${someId}/timeline`, {})).toBe(401);
    expect(await status(`/api/orders/${someId}/timeline`, { authorization: 'Bearer wrong-token-0123456789' })).toBe(
      403,
    );
    expect(await status('/api/orders/not-a-uuid/timeline')).toBe(400);
    expect(await status(`/api/orders/${someId}/timeline`)).toBe(404);
  });

  it('draws the same timeline on the page, in headless Chromium', async () => {
    const userId = `${system.userPrefix}-paged`;
    const [placed] = await system.placeOrders(orders, [{ userId, sku: 'TEE', quantity: 3 }]);
    const timeline = await pollUntil(
      'the granted event to be published',
      async () => {
        const read = await timelineOf(monitor, placed.orderId);
        return named(read, 'granted event published') ? read : undefined;
      },
      WAIT,
    );
    const { page, pageErrors, close } = await openMonitorPage(monitor, `/order?order=${placed.orderId}`);
    try {
      await page.fill('#token', TEST_ADMIN_TOKEN);
      await page.click('button[type="submit"]');
      await page.waitForSelector('#timeline:not([hidden]) tbody tr');
      const rows = page.locator('#timeline tbody tr');
      const shown: (string | null)[] = [];
      for (let i = 0; i < (await rows.count()); i++) shown.push(await rows.nth(i).getAttribute('data-step'));
      expect(shown).toEqual(timeline.steps.map((s) => s.step));
      expect(await page.textContent('#who')).toContain(placed.orderId);
      if (process.env.ORDER_TIMELINE_SCREENSHOT)
        await page.screenshot({ path: process.env.ORDER_TIMELINE_SCREENSHOT, fullPage: true });
      expect(pageErrors).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('the timeline of an order the reconciler reissued', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = new SystemUnderTest('inbox-tx');
    await system.start();
  });

  afterAll(() => system?.stop());

  it('shows the reissue, and no consumption: the event never reached the reward service', async () => {
    // The relay is off and the outbox row deleted before publication: the event is lost.
    const orders = await system.startApp('order-service', { OUTBOX_RELAY_ENABLED: 'false' });
    const since = new Date(Date.now() - 1_000);
    const userId = `${system.userPrefix}-lost`;
    const [placed] = await system.placeOrders(orders, [{ userId, sku: 'MUG', quantity: 3 }]);
    await system.dataSource.query(`DELETE FROM ordering.outbox WHERE payload->>'orderId' = $1`, [placed.orderId]);
    await system.startApp('reward-service');
    const monitor = await system.startApp('monitor', { PROBES_ENABLED: 'false' });

    const cli = await system.reconcile({}, since);
    const exit = await cli.exited;
    expect({ code: exit.code, output: exit.code === 0 ? '' : cli.output() }).toEqual({ code: 0, output: '' });

    const timeline = await pollUntil(
      'the reissued packet’s event to be published',
      async () => {
        const read = await timelineOf(monitor, placed.orderId);
        return named(read, 'granted event published') ? read : undefined;
      },
      WAIT,
    );
    expect(timeline.steps.map((s) => s.step)).toEqual([
      'placed',
      'reissued by reconciliation',
      'decided',
      'packet granted',
      'wallet credited',
      'granted event published',
    ]);
    expect(named(timeline, 'decided')?.details).toMatchObject({ source: 'reconciliation', outcome: 'granted' });
    expect(named(timeline, 'packet granted')?.details).toMatchObject({ source: 'reconciliation', amountCents: 187 });
    expect(timeline.notes).toEqual([
      'no OrderPurchased row in the outbox: purged after its retention, or deleted before publication',
    ]);
    expectDelaysBetweenSteps(timeline);
    expect(await walletOf(system, userId)).toEqual({ packets: 1, sum: 187, balance: 187 });
  });
});

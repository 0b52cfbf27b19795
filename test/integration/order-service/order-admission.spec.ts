import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { pollUntil } from '../../../testkit/infra/process-utils';
import { asCustomer } from '../../../testkit/support/customer';
import { holdOrdersLockOf, ordersOf } from '../../../testkit/support/customer-orders-lock';
import type { InjectedResponse } from '../../../testkit/support/in-process-app';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';

const ITEMS = [{ sku: 'MUG', quantity: 1 }];

/** Requests sent at once; `answered` fills as their answers arrive. */
function sendAll(count: number, send: (i: number) => Promise<InjectedResponse>) {
  const answered: InjectedResponse[] = [];
  const all = Promise.all(
    Array.from({ length: count }, (_, i) =>
      send(i).then((response) => {
        answered.push(response);
        return response;
      }),
    ),
  );
  const waitForAnswers = (n: number) =>
    pollUntil(`${n} of ${count} answers`, async () => (answered.length >= n ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
  return { all, answered, waitForAnswers };
}

const statuses = (responses: InjectedResponse[]) => responses.map((r) => r.statusCode);
const countOf = (responses: InjectedResponse[], status: number) =>
  statuses(responses).filter((s) => s === status).length;

function expectRefusal(response: InjectedResponse, status: number, code: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.headers['retry-after']).toBe('1');
  const error = { 429: 'Too Many Requests', 503: 'Service Unavailable' }[status];
  expect(response.json()).toEqual({ statusCode: status, error, code, message: expect.any(String) });
}

describe("a customer's bound on orders in flight", () => {
  // Pool 4, relay off: each customer may have 2 orders in flight, 3 run at once.
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startOrderService({
      KAFKA_NAMESPACE: testNamespace(__filename),
      OUTBOX_RELAY_ENABLED: 'false',
      DATABASE_POOL_SIZE: '4',
    });
  });
  afterAll(() => service.close());

  it("refuses one customer's burst beyond its bound with 429 and Retry-After, writes nothing for it, and still serves everyone else", async () => {
    const hot = `hot-${randomUUID()}`;
    const others = Array.from({ length: 8 }, (_, i) => `other-${i}-${randomUUID()}`);
    // The hot customer's admitted orders wait for their lock, each holding a pooled connection.
    const lock = await holdOrdersLockOf(hot);
    const burst = sendAll(200, () => service.postOrder({ userId: hot, items: ITEMS }));
    try {
      await lock.waitForWaiting(2);
      await burst.waitForAnswers(198);
      expect(statuses(burst.answered)).toEqual(Array<number>(198).fill(429));

      const [served, ready] = await Promise.all([
        Promise.all(others.map((userId) => service.postOrder({ userId, items: ITEMS }))),
        service.request({ method: 'GET', url: '/health/ready' }),
      ]);
      expect(statuses(served)).toEqual(others.map(() => 201));
      expect(ready.statusCode).toBe(200);
    } finally {
      await lock.release();
    }

    const answers = await burst.all;
    expect(countOf(answers, 201)).toBe(2);
    expect(countOf(answers, 429)).toBe(198);
    for (const refused of answers.filter((r) => r.statusCode === 429))
      expectRefusal(refused, 429, 'CUSTOMER_ORDERS_IN_FLIGHT');
    expect(await ordersOf(service.dataSource, [hot])).toBe(2);
    expect(await ordersOf(service.dataSource, others)).toBe(others.length);
  });

  it('keeps the slots of a client that hung up until its orders end, then frees them', async () => {
    const leaver = `leaver-${randomUUID()}`;
    await service.app.listen(0, '127.0.0.1');
    const url = await service.app.getUrl();
    const hangUp = new AbortController();
    const lock = await holdOrdersLockOf(leaver);
    try {
      const headers = { 'content-type': 'application/json', ...(await asCustomer(leaver)) };
      const sent = Array.from({ length: 2 }, () =>
        fetch(`${url}/orders`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': randomUUID() },
          body: JSON.stringify({ items: ITEMS }),
          signal: hangUp.signal,
        }).catch((error: Error) => error.name),
      );
      await lock.waitForWaiting(2);
      hangUp.abort();
      expect(await Promise.all(sent)).toEqual(['AbortError', 'AbortError']);
      // Their statements still run, each on a pooled connection: the customer is still at their bound.
      expectRefusal(await service.postOrder({ userId: leaver, items: ITEMS }), 429, 'CUSTOMER_ORDERS_IN_FLIGHT');
    } finally {
      await lock.release();
    }
    // A 429 writes nothing, so asking until the customer is served places one order.
    await pollUntil(
      'the customer to be served again',
      async () => ((await service.postOrder({ userId: leaver, items: ITEMS })).statusCode === 201 ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(await ordersOf(service.dataSource, [leaver])).toBe(3);
  });
});

describe('the bound on orders in flight in the process', () => {
  // One order runs at a time and one more may wait; the pool has its default 10 connections.
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startOrderService({
      KAFKA_NAMESPACE: testNamespace(__filename),
      OUTBOX_RELAY_ENABLED: 'false',
      ORDER_MAX_IN_FLIGHT: '1',
      ORDER_MAX_QUEUED: '1',
      ORDER_MAX_QUEUE_WAIT_MS: '200',
    });
  });
  afterAll(() => service.close());

  it('refuses overload with 503 and Retry-After, not 500, and writes nothing for the refused', async () => {
    const slow = `slow-${randomUUID()}`;
    const customers = Array.from({ length: 30 }, (_, i) => `burst-${i}-${randomUUID()}`);
    const lock = await holdOrdersLockOf(slow);
    const slowOrder = service.postOrder({ userId: slow, items: ITEMS });
    let answers: InjectedResponse[];
    try {
      await lock.waitForWaiting(1);
      // The one running slot is taken: one order of the burst waits its 200 ms in the queue, the rest are refused.
      answers = await Promise.all(customers.map((userId) => service.postOrder({ userId, items: ITEMS })));
    } finally {
      await lock.release();
    }
    expect((await slowOrder).statusCode).toBe(201);
    expect(countOf(answers, 503)).toBe(customers.length);
    for (const refused of answers) expectRefusal(refused, 503, 'ORDERS_OVERLOADED');
    expect(await ordersOf(service.dataSource, customers)).toBe(0);
  });

  it('answers every order of a burst with 201 or 503, and places exactly the 201s', async () => {
    const customers = Array.from({ length: 60 }, (_, i) => `wave-${i}-${randomUUID()}`);
    const answers = await Promise.all(customers.map((userId) => service.postOrder({ userId, items: ITEMS })));
    expect(answers.filter((r) => r.statusCode !== 201 && r.statusCode !== 503)).toEqual([]);
    for (const refused of answers.filter((r) => r.statusCode === 503)) expectRefusal(refused, 503, 'ORDERS_OVERLOADED');
    expect(await ordersOf(service.dataSource, customers)).toBe(countOf(answers, 201));
  });

  it('answers 503 with Retry-After, not 500, when no pooled connection comes free, and writes nothing', async () => {
    const pool = (service.dataSource.driver as PostgresDriver).master as Pool;
    const held: PoolClient[] = [];
    const customer = `starved-${randomUUID()}`;
    try {
      for (let i = 0; i < pool.options.max; i++) held.push(await pool.connect());
      // The pool's wait (connectionTimeoutMillis, 5 s) runs out.
      expectRefusal(await service.postOrder({ userId: customer, items: ITEMS }), 503, 'DATABASE_BUSY');
    } finally {
      for (const client of held) client.release();
    }
    expect(await ordersOf(service.dataSource, [customer])).toBe(0);
  });
});

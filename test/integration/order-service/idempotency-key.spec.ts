import { randomUUID } from 'node:crypto';
import { IdempotencyKeyStore } from '@redpacket/ordering';
import { Client } from 'pg';
import { asCustomer } from '../../../testkit/support/customer';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';

const order = (quantity = 3) => ({ items: [{ sku: 'MUG', quantity }] });

describe('POST /orders with an Idempotency-Key', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startOrderService({
      KAFKA_NAMESPACE: testNamespace(__filename),
      OUTBOX_RELAY_ENABLED: 'false',
      // Twelve requests of one customer race for one key below: all of them reach the database.
      DATABASE_POOL_SIZE: '16',
      ORDER_MAX_IN_FLIGHT_PER_CUSTOMER: '12',
    });
  });
  afterAll(() => service.close());

  /** POST /orders as `userId` with the key given. */
  const place = async (key: string, userId: string, body: unknown) =>
    service.request({
      method: 'POST',
      url: '/orders',
      payload: body,
      headers: { 'idempotency-key': key, ...(await asCustomer(userId)) },
    });

  async function ordersOf(userId: string): Promise<number> {
    const [row] = await service.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM ordering.orders WHERE user_id = $1',
      [userId],
    );
    return Number(row.n);
  }

  async function outboxEventsOf(userId: string): Promise<number> {
    const [row] = await service.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM ordering.outbox WHERE message_key = $1',
      [userId],
    );
    return Number(row.n);
  }

  it('replays the stored response for the same key and body, and creates one order', async () => {
    const userId = `replay-${randomUUID()}`;
    const key = randomUUID();
    const first = await place(key, userId, order());
    const second = await place(key, userId, order());

    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(first.json()).toMatchObject({ userId, itemCount: 3, totalCents: 3750, status: 'PLACED' });
    expect(await ordersOf(userId)).toBe(1);
    expect(await outboxEventsOf(userId)).toBe(1);
  });

  it('treats the same body with keys in another order as the same request', async () => {
    const userId = `reordered-${randomUUID()}`;
    const key = randomUUID();
    await place(key, userId, order());
    const reordered = '{ "items" : [ { "quantity": 3, "sku": "MUG" } ] }';
    expect((await place(key, userId, reordered)).headers['idempotent-replayed']).toBe('true');
    expect(await ordersOf(userId)).toBe(1);
  });

  it('refuses the same key with a different body (422) and changes nothing', async () => {
    const userId = `mismatch-${randomUUID()}`;
    const key = randomUUID();
    await place(key, userId, order(3));
    const different = await place(key, userId, order(4));
    expect(different.statusCode).toBe(422);
    expect(different.json()).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'This Idempotency-Key was already used with a different request body',
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await ordersOf(userId)).toBe(1);
    expect(await outboxEventsOf(userId)).toBe(1);
  });

  it('creates exactly one order when many requests race with one key; the rest get 409 or the replay', async () => {
    const userId = `race-${randomUUID()}`;
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 12 }, () => place(key, userId, order())));

    const created = responses.filter((r) => r.statusCode === 201 && !r.headers['idempotent-replayed']);
    const others = responses.filter((r) => !created.includes(r));
    expect(created).toHaveLength(1);
    for (const response of others) {
      expect([409, 201]).toContain(response.statusCode);
      if (response.statusCode === 201) expect(response.json()).toEqual(created[0].json());
    }
    expect(await ordersOf(userId)).toBe(1);
    expect(await outboxEventsOf(userId)).toBe(1);
  });

  it('accepts a key again once it has expired, and purges expired keys', async () => {
    const userId = `expiry-${randomUUID()}`;
    const key = randomUUID();
    await place(key, userId, order());
    await service.dataSource.query(
      `UPDATE ordering.idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`,
      [key],
    );
    const again = await place(key, userId, order());
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersOf(userId)).toBe(2);

    await service.dataSource.query(
      `UPDATE ordering.idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`,
      [key],
    );
    expect(await new IdempotencyKeyStore().purgeExpired(service.dataSource.manager, 1)).toBeGreaterThanOrEqual(1);
    const [row] = await service.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM ordering.idempotency_keys WHERE idempotency_key = $1',
      [key],
    );
    expect(Number(row.n)).toBe(0);
  });

  it('pages a user’s orders newest first with a keyset cursor', async () => {
    const userId = `pages-${randomUUID()}`;
    const placed: string[] = [];
    for (let i = 0; i < 5; i++)
      placed.push((await place(randomUUID(), userId, order())).json<{ orderId: string }>().orderId);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/users/${userId}/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await service.getAs(userId, url)).json<{
        items: { orderId: string }[];
        nextCursor: string | null;
      }>();
      seen.push(...page.items.map((item) => item.orderId));
      cursor = page.nextCursor;
    } while (cursor);

    expect(seen).toEqual([...placed].reverse());
    const one = await service.getAs(userId, `/orders/${placed[0]}`);
    expect(one.json()).toMatchObject({ orderId: placed[0], userId });
  });

  it('scopes a key to its customer: two customers with the same key each get their own order', async () => {
    const [alice, bob] = [`alice-${randomUUID()}`, `bob-${randomUUID()}`];
    const key = `shared-key-${randomUUID()}`;
    const first = await place(key, alice, order());
    const second = await place(key, bob, order());
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json<{ orderId: string }>().orderId).not.toBe(first.json<{ orderId: string }>().orderId);
    expect([await ordersOf(alice), await ordersOf(bob)]).toEqual([1, 1]);
  });

  it('refuses a key shorter than 16 characters', async () => {
    const userId = `short-key-${randomUUID()}`;
    const response = await place('k-15-characters', userId, order());
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ field: 'Idempotency-Key' }] });
    expect(await ordersOf(userId)).toBe(0);
  });

  it('places an order, or replays it, in one statement to Postgres: no BEGIN, no COMMIT, one round trip', async () => {
    const userId = `one-statement-${randomUUID()}`;
    const key = randomUUID();
    const query = jest.spyOn(Client.prototype, 'query'); // calls through, and records what was sent
    let sent: string[];
    try {
      expect((await place(key, userId, order())).statusCode).toBe(201);
      expect((await place(key, userId, order())).headers['idempotent-replayed']).toBe('true');
      sent = query.mock.calls.map(([statement]) => textOf(statement as unknown as string | { text: string }));
    } finally {
      query.mockRestore();
    }
    expect(sent).toHaveLength(2);
    expect(sent.every((statement) => /^SELECT ordering\.place_order\(/.test(statement))).toBe(true);
    expect(await ordersOf(userId)).toBe(1);
  });

  it("answers 409 and writes nothing when another of the customer's orders holds their lock too long", async () => {
    const userId = `busy-${randomUUID()}`;
    const key = randomUUID();
    const holder = service.dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended('orders-of:' || $1, 0))`, [userId]);
      const busy = await place(key, userId, order());
      expect(busy.statusCode).toBe(409);
      expect(busy.json()).toMatchObject({ message: expect.stringContaining('retry with the same Idempotency-Key') });
      expect(await ordersOf(userId)).toBe(0);
      expect(await outboxEventsOf(userId)).toBe(0);
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    const retried = await place(key, userId, order());
    expect(retried.statusCode).toBe(201);
    expect(await ordersOf(userId)).toBe(1);
  });
});

function textOf(statement: string | { text: string }): string {
  return typeof statement === 'string' ? statement : statement.text;
}

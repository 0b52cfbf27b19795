import { randomUUID } from 'node:crypto';
import { EVENT_HEADERS, ORDER_PURCHASED, parseOrderPurchased } from '@redpacket/contracts';
import { asCustomer } from '../../../testkit/support/customer';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';

/**
 * The order's event and its HTTP answer are built in SQL (`ordering.place_order`, migration 9), the
 * event's contract and the order view in TypeScript. This reads what the function wrote and holds it to
 * both, so a change to one side that the other does not follow fails here, not in a consumer.
 */
describe.each([
  ['without', 'false'],
  ['with', 'true'],
])('what ordering.place_order writes (%s the wallet version)', (_label, carriesWalletVersion) => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startOrderService({
      KAFKA_NAMESPACE: testNamespace(__filename),
      OUTBOX_RELAY_ENABLED: 'false',
      ORDER_EVENT_CARRIES_WALLET_VERSION: carriesWalletVersion,
    });
  });
  afterAll(() => service.close());

  it('is an OrderPurchased v1 the consumer’s parser accepts, keyed by the customer, and an answer equal to the order as read back', async () => {
    const userId = `contract-${randomUUID().slice(0, 8)}`;
    const placed = await service.request({
      method: 'POST',
      url: '/orders',
      payload: { items: [{ sku: 'MUG', quantity: 3 }] },
      headers: { 'idempotency-key': randomUUID(), ...(await asCustomer(userId)) },
    });
    expect(placed.statusCode).toBe(201);
    const answer = placed.json<{ orderId: string }>();

    const [row] = await service.dataSource.query<
      { event_id: string; message_key: string; event_type: string; schema_version: number; payload: object }[]
    >(
      `SELECT event_id, message_key, event_type, schema_version, payload FROM ordering.outbox
        WHERE payload->>'orderId' = $1`,
      [answer.orderId],
    );
    // The message the relay makes of the row: the payload as JSON, the row's type and version as headers.
    const event = parseOrderPurchased(Buffer.from(JSON.stringify(row.payload)), {
      [EVENT_HEADERS.eventId]: row.event_id,
      [EVENT_HEADERS.eventType]: row.event_type,
      [EVENT_HEADERS.schemaVersion]: String(row.schema_version),
    });
    expect({ type: row.event_type, version: row.schema_version, key: row.message_key }).toEqual({
      type: ORDER_PURCHASED,
      version: 1,
      key: userId,
    });
    expect({ ...event }).toEqual({
      eventId: row.event_id,
      orderId: answer.orderId,
      userId,
      itemCount: 3,
      totalCents: 3750,
      occurredAt: expect.any(String) as string,
      ...(carriesWalletVersion === 'true' ? { walletVersion: 0 } : {}),
    });

    // The answer the function stored is the order view the read path builds from the row.
    const read = await service.request({
      method: 'GET',
      url: `/orders/${answer.orderId}`,
      headers: await asCustomer(userId),
    });
    expect(read.statusCode).toBe(200);
    expect(answer).toEqual(read.json());
    expect(event.occurredAt).toBe(read.json<{ createdAt: string }>().createdAt);
  });
});

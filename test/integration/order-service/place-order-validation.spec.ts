import { asCustomer } from '../../../testkit/support/customer';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';
import { countRows } from '../../../testkit/support/ledger';

const validItem = { sku: 'MUG', quantity: 1 };
const valid = { items: [validItem] };
const CUSTOMER = 'validation-user';

/** [what is wrong, body, expected status, the field the 400 must name, or null] (rows of equal length: jest passes `done` to a longer function) */
const malformed: [string, unknown, number, string | null][] = [
  ['a user id in the body (the token names the customer)', { ...valid, userId: 'someone-else' }, 400, 'userId'],
  ['missing items', {}, 400, 'items'],
  ['empty items', { ...valid, items: [] }, 400, 'items'],
  ['items not an array', { ...valid, items: 'many' }, 400, 'items'],
  ['an item that is not an object', { ...valid, items: [7] }, 400, 'items.0'],
  ['a float quantity', { ...valid, items: [{ ...validItem, quantity: 1.5 }] }, 400, 'items.0.quantity'],
  ['a quantity given as a string', { ...valid, items: [{ ...validItem, quantity: '2' }] }, 400, 'items.0.quantity'],
  ['a zero quantity', { ...valid, items: [{ ...validItem, quantity: 0 }] }, 400, 'items.0.quantity'],
  ['a quantity over 1000', { ...valid, items: [{ ...validItem, quantity: 1001 }] }, 400, 'items.0.quantity'],
  [
    'a price from the client',
    { ...valid, items: [{ ...validItem, unitPriceCents: 0 }] },
    400,
    'items.0.unitPriceCents',
  ],
  ['a total from the client', { ...valid, totalCents: 10_000_000 }, 400, 'totalCents'],
  [
    'a SKU not in the catalogue',
    { ...valid, items: [validItem, { sku: 'FREE-MONEY', quantity: 3 }] },
    400,
    'items.1.sku',
  ],
  ['a SKU no longer on sale', { ...valid, items: [{ sku: 'CD-2009', quantity: 3 }] }, 400, 'items.0.sku'],
  ['a missing sku', { ...valid, items: [{ quantity: 1 }] }, 400, 'items.0.sku'],
  ['an empty sku', { ...valid, items: [{ ...validItem, sku: '' }] }, 400, 'items.0.sku'],
  ['an oversize sku', { ...valid, items: [{ ...validItem, sku: 'S'.repeat(65) }] }, 400, 'items.0.sku'],
  ['an extra top-level field', { ...valid, discountCents: 1 }, 400, 'discountCents'],
  ['an extra item field', { ...valid, items: [{ ...validItem, discount: 5 }] }, 400, 'items.0.discount'],
  ['101 items', { ...valid, items: Array.from({ length: 101 }, () => validItem) }, 400, 'items'],
  ['a JSON array body', [valid], 400, null],
  ['a JSON string body', '"order"', 400, null],
  ['non-JSON', '{"items": [', 400, null],
  ['an empty body', '', 400, null],
  ['a body over the size limit', { ...valid, padding: 'x'.repeat(70 * 1024) }, 413, null],
];

describe('POST /orders validation', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startOrderService({ KAFKA_NAMESPACE: testNamespace(__filename), OUTBOX_RELAY_ENABLED: 'false' });
  });
  afterAll(() => service.close());

  it.each(malformed)('rejects %s and writes nothing', async (_, body, status, field) => {
    const before = await countRows(service.dataSource);
    const response = await service.request({
      method: 'POST',
      url: '/orders',
      payload: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'idempotency-key': `bad-${Math.random()}`, ...(await asCustomer(CUSTOMER)) },
    });
    expect(response.statusCode).toBe(status);
    if (field) {
      const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
      expect(fields).toContain(field);
    }
    expect(await countRows(service.dataSource)).toEqual(before);
  });

  it('lists every bad field of one body in one response', async () => {
    const response = await service.request({
      method: 'POST',
      url: '/orders',
      payload: { userId: '', items: [{ sku: 'MUG', quantity: -1, unitPriceCents: 1.5 }], extra: true },
      headers: { 'idempotency-key': 'several-faults-in-one-body', ...(await asCustomer(CUSTOMER)) },
    });
    expect(response.statusCode).toBe(400);
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields.sort()).toEqual(['extra', 'items.0.quantity', 'items.0.unitPriceCents', 'userId']);
  });

  it('prices every line from the catalogue, whatever the client would have liked to pay', async () => {
    const response = await service.postOrder({
      userId: 'catalogue-user',
      items: [
        { sku: 'LAMP', quantity: 2 },
        { sku: 'PEN', quantity: 1 },
      ],
    });
    expect(response.statusCode).toBe(201);
    const order = response.json<{ orderId: string; itemCount: number; totalCents: number }>();
    expect(order).toMatchObject({ itemCount: 3, totalCents: 2 * 4_000 + 300 });
    const lines = await service.dataSource.query<{ sku: string; unit_price_cents: string }[]>(
      'SELECT sku, unit_price_cents FROM ordering.order_items WHERE order_id = $1 ORDER BY line_no',
      [order.orderId],
    );
    expect(lines).toEqual([
      { sku: 'LAMP', unit_price_cents: '4000' },
      { sku: 'PEN', unit_price_cents: '300' },
    ]);
  });

  it('requires an Idempotency-Key header', async () => {
    const before = await countRows(service.dataSource);
    const response = await service.request({
      method: 'POST',
      url: '/orders',
      payload: valid,
      headers: await asCustomer(CUSTOMER),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ errors: { field: string }[] }>().errors[0].field).toBe('Idempotency-Key');
    expect(await countRows(service.dataSource)).toEqual(before);
  });

  it('answers 400 for malformed ids and 404 for unknown ones', async () => {
    expect((await service.getAs(CUSTOMER, '/orders/not-a-uuid')).statusCode).toBe(400);
    expect((await service.getAs(CUSTOMER, '/orders/01a21280-47f1-75c3-b934-9a8d0970354c')).statusCode).toBe(404);
    expect((await service.getAs(CUSTOMER, '/users/bad%20id/orders')).statusCode).toBe(400);
    expect((await service.getAs('nobody-here', '/users/nobody-here/wallet')).statusCode).toBe(404);
    expect((await service.getAs('a', '/users/a/orders?limit=1000')).statusCode).toBe(400);
  });
});

import { testNamespace } from '../../support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../support/order-service.harness';
import { countRows } from '../../support/ledger';

const validItem = { sku: 'SKU-1', quantity: 1, unitPriceCents: 100 };
const valid = { userId: 'validation-user', items: [validItem] };

/** [what is wrong, body, expected status, the field the 400 must name, or null] (rows of equal length: jest passes `done` to a longer function) */
const malformed: [string, unknown, number, string | null][] = [
  ['userId of the wrong type', { ...valid, userId: 42 }, 400, 'userId'],
  ['missing userId', { items: [validItem] }, 400, 'userId'],
  ['missing items', { userId: 'u' }, 400, 'items'],
  ['empty items', { ...valid, items: [] }, 400, 'items'],
  ['items not an array', { ...valid, items: 'many' }, 400, 'items'],
  ['an item that is not an object', { ...valid, items: [7] }, 400, 'items.0'],
  ['a float quantity', { ...valid, items: [{ ...validItem, quantity: 1.5 }] }, 400, 'items.0.quantity'],
  ['a quantity given as a string', { ...valid, items: [{ ...validItem, quantity: '2' }] }, 400, 'items.0.quantity'],
  ['a zero quantity', { ...valid, items: [{ ...validItem, quantity: 0 }] }, 400, 'items.0.quantity'],
  ['a quantity over 1000', { ...valid, items: [{ ...validItem, quantity: 1001 }] }, 400, 'items.0.quantity'],
  ['a negative price', { ...valid, items: [{ ...validItem, unitPriceCents: -1 }] }, 400, 'items.0.unitPriceCents'],
  ['a float price', { ...valid, items: [{ ...validItem, unitPriceCents: 9.99 }] }, 400, 'items.0.unitPriceCents'],
  [
    'a price over the bound',
    { ...valid, items: [{ ...validItem, unitPriceCents: 10_000_001 }] },
    400,
    'items.0.unitPriceCents',
  ],
  ['a missing sku', { ...valid, items: [{ quantity: 1, unitPriceCents: 1 }] }, 400, 'items.0.sku'],
  ['an empty sku', { ...valid, items: [{ ...validItem, sku: '' }] }, 400, 'items.0.sku'],
  ['an oversize sku', { ...valid, items: [{ ...validItem, sku: 'S'.repeat(65) }] }, 400, 'items.0.sku'],
  ['an oversize userId', { ...valid, userId: 'u'.repeat(65) }, 400, 'userId'],
  ['an extra top-level field', { ...valid, totalCents: 1 }, 400, 'totalCents'],
  ['an extra item field', { ...valid, items: [{ ...validItem, discount: 5 }] }, 400, 'items.0.discount'],
  ['101 items', { ...valid, items: Array.from({ length: 101 }, () => validItem) }, 400, 'items'],
  ['a JSON array body', [valid], 400, null],
  ['a JSON string body', '"order"', 400, null],
  ['non-JSON', '{"userId": "u", items: [', 400, null],
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
      headers: { 'idempotency-key': `bad-${Math.random()}` },
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
      payload: { userId: '', items: [{ sku: 'A', quantity: -1, unitPriceCents: 1.5 }], extra: true },
      headers: { 'idempotency-key': 'several-faults' },
    });
    expect(response.statusCode).toBe(400);
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields.sort()).toEqual(['extra', 'items.0.quantity', 'items.0.unitPriceCents', 'userId']);
  });

  it('requires an Idempotency-Key header', async () => {
    const before = await countRows(service.dataSource);
    const response = await service.request({ method: 'POST', url: '/orders', payload: valid });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ errors: { field: string }[] }>().errors[0].field).toBe('Idempotency-Key');
    expect(await countRows(service.dataSource)).toEqual(before);
  });

  it('answers 400 for malformed ids and 404 for unknown ones', async () => {
    expect((await service.request({ method: 'GET', url: '/orders/not-a-uuid' })).statusCode).toBe(400);
    expect(
      (await service.request({ method: 'GET', url: '/orders/01a21280-47f1-75c3-b934-9a8d0970354c' })).statusCode,
    ).toBe(404);
    expect((await service.request({ method: 'GET', url: '/users/bad%20id/orders' })).statusCode).toBe(400);
    expect((await service.request({ method: 'GET', url: '/users/nobody-here/wallet' })).statusCode).toBe(404);
    expect((await service.request({ method: 'GET', url: '/users/a/orders?limit=1000' })).statusCode).toBe(400);
  });
});

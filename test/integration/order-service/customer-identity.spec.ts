import { randomUUID } from 'node:crypto';
import { asCustomer, customerToken } from '../../../testkit/support/customer';
import { countRows } from '../../../testkit/support/ledger';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';

const LINES = { items: [{ sku: 'LAMP', quantity: 3 }] };

/** Callers who are not who they say, or who want what is not theirs. */
describe('customer identity: the user is the token, and reads only their own', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await startOrderService({ KAFKA_NAMESPACE: testNamespace(__filename), OUTBOX_RELAY_ENABLED: 'false' });
  });
  afterAll(() => service.close());

  const post = (headers: Record<string, string>) =>
    service.request({
      method: 'POST',
      url: '/orders',
      payload: LINES,
      headers: { 'idempotency-key': randomUUID(), ...headers },
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it.each<[string, () => Promise<Record<string, string>>, RegExp]>([
    ['no token', () => Promise.resolve({}), /bearer token is required/],
    ['a token that is not a JWT', () => Promise.resolve(bearer('not-a-jwt')), /not a valid JWT/],
    ['an expired token', async () => bearer(await customerToken('mallory', { ttlSeconds: -60 })), /expired/],
    [
      'a token signed with another key',
      async () => bearer(await customerToken('mallory', { secret: 'someone-elses-secret-0123456789abcdef' })),
      /signature/,
    ],
    ['a token of another issuer', async () => bearer(await customerToken('mallory', { issuer: 'elsewhere' })), /iss/],
    [
      'a token for another audience',
      async () => bearer(await customerToken('mallory', { audience: 'other-api' })),
      /aud/,
    ],
    ['a subject that is not a user id', async () => bearer(await customerToken('not a user id')), /subject/],
  ])('refuses %s with 401, and writes nothing', async (_, headers, reason) => {
    const before = await countRows(service.dataSource);
    const response = await post(await headers());
    expect(response.statusCode).toBe(401);
    expect(response.json<{ message: string }>().message).toMatch(reason);
    expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'AUTHENTICATION_REQUIRED' });
    expect(await countRows(service.dataSource)).toEqual(before);
  });

  it("places the order for the token's subject, and shows a customer only their own orders and wallet", async () => {
    const [alice, mallory] = [`alice-${randomUUID()}`, `mallory-${randomUUID()}`];
    const placed = await post(await asCustomer(alice));
    expect(placed.statusCode).toBe(201);
    const order = placed.json<{ orderId: string; userId: string }>();
    expect(order.userId).toBe(alice);

    expect((await service.getAs(alice, `/orders/${order.orderId}`)).statusCode).toBe(200);
    // Another customer learns nothing, not even that the order exists.
    const hidden = await service.getAs(mallory, `/orders/${order.orderId}`);
    expect({ status: hidden.statusCode, code: hidden.json<{ code: string }>().code }).toEqual({
      status: 404,
      code: 'ORDER_NOT_FOUND',
    });
    for (const path of ['orders', 'wallet', 'red-packets']) {
      expect({ path, status: (await service.getAs(mallory, `/users/${alice}/${path}`)).statusCode }).toEqual({
        path,
        status: 403,
      });
      expect((await service.request({ method: 'GET', url: `/users/${alice}/${path}` })).statusCode).toBe(401);
    }
    expect((await service.getAs(alice, `/users/${alice}/orders`)).json<{ items: unknown[] }>().items).toHaveLength(1);
  });
});

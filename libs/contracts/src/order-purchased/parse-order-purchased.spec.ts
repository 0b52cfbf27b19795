import { probeSentAtOrBusiness } from '../event-headers';
import { MAX_AMOUNT_CENTS, MAX_ITEM_COUNT } from './order-limits';
import { parseOrderPurchased } from './parse-order-purchased';

const valid = {
  eventId: '0190f4b2-7c4e-7a1d-9f00-000000000001',
  orderId: '0190f4b2-7c4e-7a1d-9f00-000000000002',
  userId: 'user-42',
  itemCount: 3,
  totalCents: 3_897,
  occurredAt: '2026-12-01T10:00:00.000Z',
};

function codeOf(value: Buffer | null): string | undefined {
  try {
    parseOrderPurchased(value);
    return undefined;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

const json = (body: unknown) => Buffer.from(JSON.stringify(body));

describe('parseOrderPurchased', () => {
  it('accepts what the order service writes', () => {
    expect(parseOrderPurchased(json(valid))).toMatchObject(valid);
    expect(
      parseOrderPurchased(json({ ...valid, itemCount: MAX_ITEM_COUNT, totalCents: MAX_AMOUNT_CENTS })),
    ).toBeTruthy();
  });

  it.each([
    ['a NUL byte in the user id', json({ ...valid, userId: 'user\u000042' }), 'CONTRACT_VIOLATION'],
    ['a user id the HTTP contract refuses', json({ ...valid, userId: "u'; DROP TABLE x;--" }), 'CONTRACT_VIOLATION'],
    ['more items than an order can hold', json({ ...valid, itemCount: MAX_ITEM_COUNT + 1 }), 'CONTRACT_VIOLATION'],
    ['a total beyond the largest order', json({ ...valid, totalCents: MAX_AMOUNT_CENTS + 1 }), 'CONTRACT_VIOLATION'],
    ['an item count as a string', json({ ...valid, itemCount: '3' }), 'CONTRACT_VIOLATION'],
    ['a number too large for JSON', Buffer.from(JSON.stringify(valid).replace('3897', '1e400')), 'CONTRACT_VIOLATION'],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('{"userId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      'INVALID_UTF8',
    ],
    ['no value', null, 'INVALID_JSON'],
    ['an array', json([valid]), 'CONTRACT_VIOLATION'],
  ])('refuses %s', (_what, value, code) => {
    expect(codeOf(value)).toBe(code);
  });
});

describe('probeSentAtOrBusiness', () => {
  it('tells a probe from a business message', () => {
    expect(probeSentAtOrBusiness(null, { probe: 'true', 'probe-sent-at': '1764583200000' })).toBe(1764583200000);
    expect(probeSentAtOrBusiness(json(valid), {})).toBeUndefined();
  });

  it.each([
    ['a business event carrying the probe header', json(valid), { probe: 'true', 'probe-sent-at': '1764583200000' }],
    ['a probe without a timestamp', null, { probe: 'true' }],
    ['a probe with a timestamp that is not a number', null, { probe: 'true', 'probe-sent-at': 'soon' }],
    ['a probe header that is not "true"', null, { probe: 'yes', 'probe-sent-at': '1764583200000' }],
  ])('refuses %s as INVALID_PROBE, so no order is dropped as a probe', (_what, value, headers) => {
    let failure: unknown;
    try {
      probeSentAtOrBusiness(value, headers);
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'INVALID_PROBE' });
  });
});

import { IDEMPOTENCY_KEY_PATTERN, canonicalJson, requestFingerprint } from './request-fingerprint';

describe('requestFingerprint', () => {
  it('ignores key order at every depth', () => {
    const a = { userId: 'u1', items: [{ sku: 'A', quantity: 1, unitPriceCents: 5 }] };
    const b = { items: [{ unitPriceCents: 5, quantity: 1, sku: 'A' }], userId: 'u1' };
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
  });

  it('differs when any value or the order of items differs', () => {
    const base = { userId: 'u1', items: [{ sku: 'A' }, { sku: 'B' }] };
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, userId: 'u2' }));
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, items: [{ sku: 'B' }, { sku: 'A' }] }));
  });

  it('writes canonical JSON', () => {
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: true })).toBe('{"a":true,"b":[1,{"c":"x","d":null}]}');
  });
});

describe('IDEMPOTENCY_KEY_PATTERN', () => {
  it.each(['8e0f3c1e-2b6f-4c1a-9a57-9b1d2e3f4a5b', 'order-0000000042', 'x'.repeat(255)])('accepts %s', (key) => {
    expect(IDEMPOTENCY_KEY_PATTERN.test(key)).toBe(true);
  });

  it.each(['', 'x', 'order-42', 'fifteen-chars-k', 'has space in it 0', 'ü'.repeat(16), 'a'.repeat(256)])(
    'rejects %j',
    (key) => {
      expect(IDEMPOTENCY_KEY_PATTERN.test(key)).toBe(false);
    },
  );
});

import {
  EventSigner,
  EventVerifier,
  generateEventKeyPair,
  parsePublicKeys,
  privateKeyFrom,
  privateKeyProblem,
  type SignableMessage,
} from './event-signature';

const current = generateEventKeyPair('k2');
const previous = generateEventKeyPair('k1');
const signer = new EventSigner('k2', privateKeyFrom(current.privateKey));
const verifier = new EventVerifier(parsePublicKeys(`${previous.publicKeys},${current.publicKeys}`).keys);

const message: SignableMessage = {
  key: 'user-1',
  value: JSON.stringify({ orderId: 'o-1', totalCents: 1_000 }),
  headers: { 'event-id': 'e-1', 'event-type': 'OrderPurchased', 'schema-version': '1' },
};
const signed = (m: SignableMessage, by = signer): SignableMessage => ({
  ...m,
  headers: { ...m.headers, ...by.headersFor(m) },
});

describe('event signatures', () => {
  it('verifies what the signer signed, as text or as bytes', () => {
    const sent = signed(message);
    expect(() => verifier.check(sent)).not.toThrow();
    expect(() =>
      verifier.check({ ...sent, key: Buffer.from('user-1'), value: Buffer.from(String(message.value)) }),
    ).not.toThrow();
  });

  it('accepts every trusted key while keys rotate', () => {
    const old = new EventSigner('k1', privateKeyFrom(previous.privateKey));
    expect(() => verifier.check(signed(message, old))).not.toThrow();
  });

  it.each<[string, (m: SignableMessage) => SignableMessage]>([
    ['the value', (m) => ({ ...m, value: JSON.stringify({ orderId: 'o-1', totalCents: 9_999 }) })],
    ['the key', (m) => ({ ...m, key: 'user-2' })],
    ['the event id', (m) => ({ ...m, headers: { ...m.headers, 'event-id': 'e-2' } })],
    ['the event type', (m) => ({ ...m, headers: { ...m.headers, 'event-type': 'Other' } })],
    ['the schema version', (m) => ({ ...m, headers: { ...m.headers, 'schema-version': '2' } })],
  ])('refuses a signed message whose %s changed', (_, change) => {
    let thrown: unknown;
    try {
      verifier.check(change(signed(message)));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'INVALID_SIGNATURE', message: 'the signature does not verify with key k2' });
  });

  it('does not let bytes move between the parts', () => {
    const a = signed({ ...message, key: 'ab', value: 'c' });
    expect(() => verifier.check({ ...a, key: 'a', value: 'bc' })).toThrow(/does not verify/);
  });

  it('refuses an unsigned message, an unknown key id, another key under a trusted id, and a malformed signature', () => {
    const stranger = new EventSigner('k2', privateKeyFrom(generateEventKeyPair('k2').privateKey));
    const unknown = new EventSigner('k9', privateKeyFrom(generateEventKeyPair('k9').privateKey));
    expect(() => verifier.check(message)).toThrow('the event is not signed');
    expect(() => verifier.check(signed(message, unknown))).toThrow('no public key "k9" is trusted');
    expect(() => verifier.check(signed(message, stranger))).toThrow('the signature does not verify with key k2');
    const truncated = { ...message, headers: { ...message.headers, 'signature-key-id': 'k2', signature: 'AAAA' } };
    expect(() => verifier.check(truncated)).toThrow('the signature does not verify with key k2');
  });

  it('reads keys from the environment’s forms and names what is wrong', () => {
    expect(privateKeyProblem(current.privateKey)).toBeUndefined();
    expect(privateKeyProblem('not a key')).toMatch(/^not an Ed25519 PKCS#8 private key/);
    expect(
      parsePublicKeys(`k1:AAAA,bad id:${current.publicKeys.split(':')[1]},${current.publicKeys},${current.publicKeys}`)
        .problems,
    ).toEqual([
      'entry 1 (k1): not a base64 SPKI public key',
      'entry 2: its key id must be 1-64 letters, digits, ".", "_" or "-"',
      'entry 4 (k2): its key id is used twice',
    ]);
  });
});

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { ContractViolationError } from '../contract.errors';
import { EVENT_HEADERS, type HeaderValue, headerText } from '../event-headers';

/**
 * Events that prove their writer. The order service signs each OrderPurchased it publishes with an
 * Ed25519 key only it holds; the reward service verifies before it decides anything. Kafka's ACLs say
 * who may write the topic, a signature says who wrote this event: a Kafka super user, or anyone who
 * injects a produce request on the path, can write the topic but cannot sign.
 *
 * What is signed binds every part a consumer acts on: the event's type, schema version and id (the
 * inbox's key), the message key (the partition, and the user) and the value, each length-prefixed so
 * no two messages sign the same bytes. The key id in a header says which public key verifies it, so
 * keys rotate: the reward service accepts every key it is given, and the order service signs with one.
 */
export const SIGNATURE_HEADERS = {
  signature: 'signature',
  keyId: 'signature-key-id',
} as const;

const DOMAIN = 'redpacket-event-signature-v1';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The parts of a Kafka message a signature covers. */
export interface SignableMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, HeaderValue>;
}

function signedBytes(message: SignableMessage): Buffer {
  const headers = message.headers ?? {};
  const parts = [
    DOMAIN,
    headerText(headers[EVENT_HEADERS.eventType]) ?? '',
    headerText(headers[EVENT_HEADERS.schemaVersion]) ?? '',
    headerText(headers[EVENT_HEADERS.eventId]) ?? '',
    message.key ?? '',
    message.value ?? '',
  ].map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part));
  const framed: Buffer[] = [];
  for (const part of parts) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    framed.push(length, part);
  }
  return Buffer.concat(framed);
}

/** Signs with one private key; its id travels in a header. */
export class EventSigner {
  constructor(
    readonly keyId: string,
    private readonly privateKey: KeyObject,
  ) {
    if (!KEY_ID.test(keyId)) throw new Error('a signing key id is 1-64 letters, digits, ".", "_" or "-"');
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the event signing key must be Ed25519');
  }

  /** The headers that prove the message's writer, to add to the ones it already has. */
  headersFor(message: SignableMessage): Record<string, string> {
    return {
      [SIGNATURE_HEADERS.keyId]: this.keyId,
      [SIGNATURE_HEADERS.signature]: sign(null, signedBytes(message), this.privateKey).toString('base64'),
    };
  }
}

/** Verifies with any of the public keys it holds, chosen by the message's key id. */
export class EventVerifier {
  constructor(private readonly keys: ReadonlyMap<string, KeyObject>) {}

  /** Returns when the message carries a valid signature; throws INVALID_SIGNATURE (poison) otherwise. */
  check(message: SignableMessage): void {
    const headers = message.headers ?? {};
    const keyId = headerText(headers[SIGNATURE_HEADERS.keyId]);
    const signature = headerText(headers[SIGNATURE_HEADERS.signature]);
    if (keyId === undefined || signature === undefined) throw invalid('the event is not signed');
    const key = this.keys.get(keyId);
    if (!key) throw invalid(`no public key ${JSON.stringify(keyId.slice(0, 64))} is trusted`);
    const bytes = Buffer.from(signature, 'base64');
    if (bytes.length !== 64 || !verify(null, signedBytes(message), key, bytes)) {
      throw invalid(`the signature does not verify with key ${keyId}`);
    }
  }
}

function invalid(why: string): ContractViolationError {
  return new ContractViolationError('INVALID_SIGNATURE', why);
}

/** An Ed25519 private key from PKCS#8, as PEM or as base64 DER (one line, for an environment variable). */
export function privateKeyFrom(text: string): KeyObject {
  const key = text.includes('-----BEGIN')
    ? createPrivateKey(text)
    : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}

/**
 * `keyId:base64-SPKI,keyId:base64-SPKI`: the public keys events may be signed with, more than one
 * while keys rotate. Returns the keys and what is wrong with the text.
 */
export function parsePublicKeys(text: string): { keys: Map<string, KeyObject>; problems: string[] } {
  const keys = new Map<string, KeyObject>();
  const problems: string[] = [];
  text.split(',').forEach((entry, index) => {
    const [keyId = '', encoded = ''] = entry.trim().split(':');
    const where = `entry ${index + 1}${KEY_ID.test(keyId) ? ` (${keyId})` : ''}`;
    if (!KEY_ID.test(keyId)) return problems.push(`${where}: its key id must be 1-64 letters, digits, ".", "_" or "-"`);
    if (keys.has(keyId)) return problems.push(`${where}: its key id is used twice`);
    try {
      const key = createPublicKey({ key: Buffer.from(encoded, 'base64'), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ed25519') return problems.push(`${where}: not an Ed25519 key`);
      keys.set(keyId, key);
    } catch {
      problems.push(`${where}: not a base64 SPKI public key`);
    }
    return undefined;
  });
  return { keys, problems };
}

/** A problem with a private key's text, or undefined when it is a usable Ed25519 key. */
export function privateKeyProblem(text: string): string | undefined {
  try {
    privateKeyFrom(text);
    return undefined;
  } catch (error) {
    return `not an Ed25519 PKCS#8 private key (PEM or base64 DER): ${(error as Error).message.split('\n')[0]}`;
  }
}

/** A new key pair in the environment's forms: the private key and `keyId:public` for the verifiers. */
export function generateEventKeyPair(keyId: string): { privateKey: string; publicKeys: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKeys: `${keyId}:${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`,
  };
}

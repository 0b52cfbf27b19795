import { EventSigner, generateEventKeyPair, privateKeyFrom } from '@redpacket/contracts';

/**
 * The key pair a test's order service signs OrderPurchased with and its reward service verifies: made
 * fresh for each test file, so no key is published. Test producers sign with it as the order service
 * would; a forger's key is any other.
 */
const KEY_ID = 'test-k1';
const pair = generateEventKeyPair(KEY_ID);

export const TEST_EVENT_SIGNER = new EventSigner(KEY_ID, privateKeyFrom(pair.privateKey));

/** The environment that turns signing (order service) and verifying (reward service) on. */
export const SIGNED_EVENTS_ENV = {
  EVENT_SIGNING_KEY: pair.privateKey,
  EVENT_SIGNING_KEY_ID: KEY_ID,
  EVENT_VERIFY_KEYS: pair.publicKeys,
} as const;

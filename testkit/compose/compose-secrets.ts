import { createPublicKey, randomBytes } from 'node:crypto';
import { generateEventKeyPair, privateKeyFrom } from '@redpacket/contracts';

/**
 * The secrets docker-compose.yml takes from `.env` and refuses to start without (`${NAME:?…}`): none has a
 * default, so no value this repository publishes ever runs there. `npm run compose:env` makes them.
 */
export const COMPOSE_SECRETS = [
  'ADMIN_RULES_TOKEN',
  'ADMIN_RECONCILE_TOKEN',
  'ADMIN_READ_TOKEN',
  'MONITOR_PROBE_TOKEN',
  'METRICS_TOKEN',
  'AUTH_JWT_SECRET',
  'POSTGRES_PASSWORD',
  'RECONCILER_DATABASE_PASSWORD',
  'KAFKA_ADMIN_PASSWORD',
  'KAFKA_CONTROLLER_PASSWORD',
  'ORDER_SERVICE_KAFKA_PASSWORD',
  'REWARD_SERVICE_KAFKA_PASSWORD',
  'MONITOR_KAFKA_PASSWORD',
  'RECONCILER_KAFKA_PASSWORD',
  // The brokers' TLS keystores (scripts/compose/kafka-tls.sh).
  'KAFKA_TLS_KEYSTORE_PASSWORD',
  // The order service's event signing key, and its public half for the reward service (not a secret,
  // but made with it: the two must match).
  'EVENT_SIGNING_KEY',
  'EVENT_VERIFY_KEYS',
] as const;

/** The id the compose file's order service signs with, and its reward service knows the key by. */
export const COMPOSE_SIGNING_KEY_ID = 'k1';

/**
 * 48 hex characters each: past every length rule of the apps, Postgres and Kafka's SCRAM users; and a
 * new Ed25519 key pair for the events.
 */
export function generateComposeSecrets(): Record<(typeof COMPOSE_SECRETS)[number], string> {
  const random = Object.fromEntries(COMPOSE_SECRETS.map((name) => [name, randomBytes(24).toString('hex')]));
  const pair = generateEventKeyPair(COMPOSE_SIGNING_KEY_ID);
  return { ...random, EVENT_SIGNING_KEY: pair.privateKey, EVENT_VERIFY_KEYS: pair.publicKeys } as Record<
    (typeof COMPOSE_SECRETS)[number],
    string
  >;
}

/** `k1:<public key>` of a signing key already in `.env`, so a kept key is still the one verified. */
function verifyKeysOf(signingKey: string): string {
  const spki = createPublicKey(privateKeyFrom(signingKey)).export({ format: 'der', type: 'spki' });
  return `${COMPOSE_SIGNING_KEY_ID}:${spki.toString('base64')}`;
}

/** The `.env` text with every compose secret set: the lines already there kept, the missing secrets added. */
export function withComposeSecrets(existing: string): { text: string; added: string[] } {
  const values = new Map(
    existing
      .split('\n')
      .map((line) => /^\s*([A-Z][A-Z0-9_]*)=(\S.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map(([, name, value]) => [name, value] as const),
  );
  const generated = generateComposeSecrets();
  const keptSigningKey = values.get('EVENT_SIGNING_KEY');
  if (keptSigningKey) generated.EVENT_VERIFY_KEYS = verifyKeysOf(keptSigningKey);
  const added = COMPOSE_SECRETS.filter((name) => !values.has(name));
  const lines = added.map((name) => `${name}=${generated[name]}`);
  const base = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
  const header = added.length > 0 ? '# Random secrets written by npm run compose:env\n' : '';
  return { text: `${base}${header}${lines.map((line) => `${line}\n`).join('')}`, added };
}

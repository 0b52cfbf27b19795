import { randomBytes } from 'node:crypto';

/**
 * The secrets docker-compose.yml takes from `.env` and refuses to start without (`${NAME:?…}`): none has a
 * default, so no value this repository publishes ever runs there. `npm run compose:env` makes them.
 */
export const COMPOSE_SECRETS = [
  'ADMIN_RULES_TOKEN',
  'ADMIN_RECONCILE_TOKEN',
  'ADMIN_READ_TOKEN',
  'MONITOR_PROBE_TOKEN',
  'AUTH_JWT_SECRET',
  'POSTGRES_PASSWORD',
  'RECONCILER_DATABASE_PASSWORD',
  'KAFKA_ADMIN_PASSWORD',
  'KAFKA_CONTROLLER_PASSWORD',
  'ORDER_SERVICE_KAFKA_PASSWORD',
  'REWARD_SERVICE_KAFKA_PASSWORD',
  'MONITOR_KAFKA_PASSWORD',
  'RECONCILER_KAFKA_PASSWORD',
] as const;

/** 48 hex characters each: past every length rule of the apps, Postgres and Kafka's SCRAM users. */
export function generateComposeSecrets(): Record<(typeof COMPOSE_SECRETS)[number], string> {
  return Object.fromEntries(COMPOSE_SECRETS.map((name) => [name, randomBytes(24).toString('hex')])) as Record<
    (typeof COMPOSE_SECRETS)[number],
    string
  >;
}

/** The `.env` text with every compose secret set: the lines already there kept, the missing secrets added. */
export function withComposeSecrets(existing: string): { text: string; added: string[] } {
  const present = new Set(
    existing
      .split('\n')
      .map((line) => /^\s*([A-Z][A-Z0-9_]*)=\S/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  const generated = generateComposeSecrets();
  const added = COMPOSE_SECRETS.filter((name) => !present.has(name));
  const lines = added.map((name) => `${name}=${generated[name]}`);
  const base = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
  const header = added.length > 0 ? '# Random secrets written by npm run compose:env\n' : '';
  return { text: `${base}${header}${lines.map((line) => `${line}\n`).join('')}`, added };
}

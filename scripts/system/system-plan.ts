/** In start order: the order service first, so its /docs is the first thing to open. */
export const SYSTEM_APPS = ['order-service', 'reward-service', 'reconciler', 'monitor'] as const;
export type AppName = (typeof SYSTEM_APPS)[number];

export interface PlannedApp {
  name: AppName;
  port: number;
  /** Where a client on this machine reaches it. */
  url: string;
  entryPoint: string;
}

/** The apps on consecutive ports from `basePort` (3000..3003 by default, as in docker-compose). */
export function planApps(basePort: number, host: string): PlannedApp[] {
  // A wildcard listener is reached through loopback.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return SYSTEM_APPS.map((name, index) => ({
    name,
    port: basePort + index,
    url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${basePort + index}`,
    entryPoint: `apps/${name}/src/main.ts`,
  }));
}

export interface SharedAppEnv {
  NODE_ENV: string;
  LOG_LEVEL: string;
  HTTP_HOST: string;
  KAFKA_BROKERS: string;
  KAFKA_SSL_CA_FILE?: string;
  DATABASE_URL: string;
  ADMIN_TOKEN?: string;
  AUTH_JWT_SECRET?: string;
  /** Where the monitor asks for its probes. */
  ORDER_SERVICE_URL?: string;
  /** The order service signs its events with the private key; the reward service verifies with the public. */
  eventKeys?: { privateKey: string; publicKeys: string; keyId: string };
  /** Each app's Kafka principal (`KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`), on a broker that authenticates. */
  kafkaUsers?: (app: AppName) => Record<string, string>;
}

/** What one app gets on top of the caller's environment (which may tune anything else). */
export function appEnvironment(app: PlannedApp, shared: SharedAppEnv): Record<string, string> {
  const { ADMIN_TOKEN, AUTH_JWT_SECRET, ORDER_SERVICE_URL, eventKeys, kafkaUsers, ...common } = shared;
  const env: Record<string, string> = { ...common, HTTP_PORT: String(app.port), ...kafkaUsers?.(app.name) };
  // Every app has admin endpoints or health details; only the order service verifies customer tokens.
  if (ADMIN_TOKEN) env.ADMIN_TOKEN = ADMIN_TOKEN;
  if (app.name === 'order-service' && AUTH_JWT_SECRET) env.AUTH_JWT_SECRET = AUTH_JWT_SECRET;
  if (app.name === 'monitor' && ORDER_SERVICE_URL) env.ORDER_SERVICE_URL = ORDER_SERVICE_URL;
  if (app.name === 'order-service' && eventKeys) {
    Object.assign(env, { EVENT_SIGNING_KEY: eventKeys.privateKey, EVENT_SIGNING_KEY_ID: eventKeys.keyId });
  }
  if (app.name === 'reward-service' && eventKeys) env.EVENT_VERIFY_KEYS = eventKeys.publicKeys;
  return env;
}

export const SAMPLE_USER = 'user-42';
export const SAMPLE_ORDER = { items: [{ sku: 'MUG', quantity: 3 }] };

/** What to open and what to paste once every app is ready. */
export function runningSummary(
  apps: PlannedApp[],
  idempotencyKey: string,
  customerToken: string,
  adminToken?: string,
): string[] {
  const url = (name: AppName) => apps.find((app) => app.name === name)?.url ?? '';
  const orders = url('order-service');
  const width = Math.max(...apps.map((app) => app.name.length));
  return [
    'every app is ready',
    `  OpenAPI          ${orders}/docs`,
    // The page reads the snapshot with the token, given in the fragment (which never reaches a server log).
    `  monitor page     ${url('monitor')}/${adminToken ? `#token=${adminToken}` : ''}`,
    `  order timeline   ${url('monitor')}/order (with the admin token)`,
    `  snapshot         ${url('monitor')}/api/snapshot (with the admin token)`,
    '  metrics (with the admin token)',
    ...apps.map((app) => `    ${app.name.padEnd(width)}   ${app.url}/metrics`),
    ...(adminToken ? [`  admin APIs: Authorization: Bearer ${adminToken}`] : []),
    `a customer token for ${SAMPLE_USER}, valid for an hour (npm run token -- <userId> prints others):`,
    `  TOKEN=${customerToken}`,
    'place an order (the same key again replays it; the response carries its orderId):',
    `  curl -s -X POST ${orders}/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' ` +
      `-H 'Idempotency-Key: ${idempotencyKey}' -d '${JSON.stringify(SAMPLE_ORDER)}'`,
    'then read it back:',
    `  curl -s ${orders}/orders/<orderId> -H "authorization: Bearer $TOKEN"`,
    `  curl -s ${orders}/users/${SAMPLE_USER}/wallet -H "authorization: Bearer $TOKEN"`,
    `  curl -s ${orders}/users/${SAMPLE_USER}/red-packets -H "authorization: Bearer $TOKEN"`,
    'Ctrl-C stops the apps, then the infrastructure this command started',
  ];
}

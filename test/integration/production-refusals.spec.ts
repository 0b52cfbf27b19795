import { randomBytes, randomUUID } from 'node:crypto';
import { type ConfigClass, type ConfigValidationError, loadConfig, PUBLISHED_SECRETS } from '@redpacket/config';
import { generateEventKeyPair } from '@redpacket/contracts';
import { MonitorConfig } from '../../apps/monitor/src/monitor.config';
import { OrderServiceConfig } from '../../apps/order-service/src/order-service.config';
import { ReconcilerConfig } from '../../apps/reconciler/src/reconciler.config';
import { RewardServiceConfig } from '../../apps/reward-service/src/reward-service.config';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pollUntil } from '../../testkit/infra/process-utils';
import { type AppName, type AppProcess, spawnApp } from '../../testkit/support/app-process';
import { freePort } from '../../testkit/support/free-port';
import { testNamespace } from '../../testkit/support/namespace';

/** A secret as `openssl rand -hex 16` makes one. */
const GENERATED = () => randomBytes(16).toString('hex');
const EVENT_KEYS = generateEventKeyPair('k1');

/**
 * What a production deployment gets right; each test then breaks some of it. Its Kafka password is none
 * the test broker knows: these apps are refused, or ready without Kafka (degraded), before it matters.
 */
const SAFE_PRODUCTION = {
  NODE_ENV: 'production',
  ADMIN_CREDENTIALS: `ops:read:${GENERATED()}`,
  PROBE_WRITE_TOKEN: GENERATED(),
  EVENT_SIGNING_KEY: EVENT_KEYS.privateKey,
  EVENT_VERIFY_KEYS: EVENT_KEYS.publicKeys,
  AUTH_JWT_SECRET: GENERATED(),
  KAFKA_SASL_PASSWORD: GENERATED(),
  KAFKA_REPLICATION_FACTOR: '1',
  KAFKA_ALLOW_WEAK_DURABILITY: 'true',
  // The test database takes no TLS.
  DATABASE_ALLOW_PLAINTEXT: 'true',
};

const CONFIGS: Record<AppName, ConfigClass<object>> = {
  'order-service': OrderServiceConfig,
  'reward-service': RewardServiceConfig,
  reconciler: ReconcilerConfig,
  monitor: MonitorConfig,
};

/** The settings a configuration refuses, or [] when it loads. */
function refusedSettings(app: AppName, env: Record<string, string>): string[] {
  try {
    loadConfig(CONFIGS[app], env);
    return [];
  } catch (error) {
    return (error as ConfigValidationError).problems.map((problem) => problem.split(':')[0]);
  }
}

async function refusal(app: AppName, env: Record<string, string>): Promise<string> {
  const process = spawnApp(app, { ...SAFE_PRODUCTION, ...env });
  const exit = await process.exited;
  expect({ app, code: exit.code }).toEqual({ app, code: 1 });
  return process.output();
}

/** The lines of the one boot error, each naming a variable. */
function problemsIn(output: string): string[] {
  const record = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { message?: string };
  return (record.message ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/^\s*- /, '').split(':')[0]);
}

describe('production refuses what is unsafe, in one boot error', () => {
  const namespace = testNamespace(__filename);

  it.each<[AppName, Record<string, string>, string[]]>([
    [
      'reward-service',
      {
        REWARD_STRATEGY: 'none',
        FAILPOINTS: 'grant.before-commit=crash',
        KAFKA_ALLOW_WEAK_DURABILITY: 'false',
        EVENT_VERIFY_KEYS: '',
      },
      ['REWARD_STRATEGY', 'KAFKA_REPLICATION_FACTOR', 'FAILPOINTS', 'EVENT_VERIFY_KEYS'],
    ],
    ['reconciler', { REWARD_STRATEGY: 'inbox-no-tx', ADMIN_TOKEN: GENERATED() }, ['REWARD_STRATEGY', 'ADMIN_TOKEN']],
    [
      'order-service',
      {
        ORDER_EVENT_CARRIES_WALLET_VERSION: 'true',
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_MIN_INSYNC_REPLICAS: '1',
        KAFKA_ALLOW_WEAK_DURABILITY: 'false',
        EVENT_SIGNING_KEY: '',
        DATABASE_ALLOW_PLAINTEXT: 'false',
      },
      [
        'AUTH_JWT_SECRET',
        'KAFKA_MIN_INSYNC_REPLICAS',
        'ORDER_EVENT_CARRIES_WALLET_VERSION',
        'EVENT_SIGNING_KEY',
        'DATABASE_URL',
      ],
    ],
    [
      'monitor',
      {
        FAILPOINTS: 'relay.after-send=crash',
        // The monitor serves only `read`: a rules token kept there is refused.
        ADMIN_CREDENTIALS: `ops:read+rules:${GENERATED()}`,
        PROBE_WRITE_TOKEN: '',
        KAFKA_SASL_USERNAME: '',
        KAFKA_SASL_PASSWORD: '',
        // Kafka without TLS.
        KAFKA_SSL_CA_FILE: '',
      },
      [
        'FAILPOINTS',
        'ADMIN_CREDENTIALS',
        'PROBE_WRITE_TOKEN',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
        'KAFKA_SSL',
      ],
    ],
  ])('%s lists every refusal at once', async (app, env, expected) => {
    const output = await refusal(app, { KAFKA_NAMESPACE: namespace, ...env });
    expect(problemsIn(output).sort()).toEqual([...expected].sort());
    expect(output).toMatch(/refused in production|required in production/);
  });

  it('takes the shared customer-token secret only with its override, and says so at boot', async () => {
    const port = await freePort();
    const app = spawnApp('order-service', {
      ...SAFE_PRODUCTION,
      KAFKA_NAMESPACE: namespace,
      HTTP_PORT: String(port),
      AUTH_ALLOW_SHARED_SECRET: 'true',
    });
    try {
      await pollUntil(
        'the order service to be ready',
        async () =>
          (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok ? true : undefined,
        { timeoutMs: 30_000 },
      );
      expect(app.output()).toContain('AUTH_ALLOW_SHARED_SECRET: customer tokens are checked with a shared secret');
      expect(app.output()).toContain('KAFKA_ALLOW_WEAK_DURABILITY');
      expect(app.output()).toContain('DATABASE_ALLOW_PLAINTEXT: the database is reached without TLS');
    } finally {
      await app.kill();
    }
  });

  it('refuses a JWKS URL over http without its override, and takes it with the override, said at boot', async () => {
    const jwks = { AUTH_JWT_SECRET: '', AUTH_JWKS_URL: 'http://idp.internal/.well-known/jwks.json' };
    const deployment = {
      ...SAFE_PRODUCTION,
      DATABASE_URL: `postgres://app:${GENERATED()}@db:5432/redpacket?sslmode=verify-full`,
      KAFKA_BROKERS: 'kafka:9092',
      KAFKA_SSL: 'true',
      KAFKA_SASL_USERNAME: 'order-service',
    };
    expect(refusedSettings('order-service', { ...deployment, ...jwks })).toEqual(['AUTH_JWKS_URL']);
    expect(
      refusedSettings('order-service', { ...deployment, ...jwks, AUTH_JWKS_URL: 'https://idp.example.com/jwks' }),
    ).toEqual([]);
    const port = await freePort();
    const app = spawnApp('order-service', {
      ...SAFE_PRODUCTION,
      ...jwks,
      AUTH_ALLOW_INSECURE_JWKS: 'true',
      KAFKA_NAMESPACE: namespace,
      HTTP_PORT: String(port),
    });
    try {
      await pollUntil(
        'the order service to say it fetches keys over http',
        async () => (app.output().includes('AUTH_ALLOW_INSECURE_JWKS') ? true : undefined),
        { timeoutMs: 30_000 },
      );
    } finally {
      await app.kill();
    }
  });

  it('refuses version-in-message and a replication factor of 2 without the override', async () => {
    const output = await refusal('reward-service', {
      KAFKA_NAMESPACE: namespace,
      REWARD_STRATEGY: 'version-in-message',
      KAFKA_REPLICATION_FACTOR: '2',
      KAFKA_ALLOW_WEAK_DURABILITY: 'false',
    });
    expect(problemsIn(output).sort()).toEqual(['KAFKA_REPLICATION_FACTOR', 'REWARD_STRATEGY']);
  });

  it('prints no secret in a boot error: not a password in a URL, not a token too short to accept', async () => {
    const password = `pw-${randomUUID()}`;
    const token = 'short-secret';
    const output = await refusal('reconciler', {
      KAFKA_NAMESPACE: namespace,
      DATABASE_URL: `mysql://reconciler:${password}@127.0.0.1:5432/nowhere`,
      ADMIN_CREDENTIALS: `ops:reconcile:${token}`,
    });
    expect(problemsIn(output).sort()).toEqual(['ADMIN_CREDENTIALS', 'DATABASE_URL']);
    expect(output).toContain('entry 1 (ops): its token must be 16-256 characters');
    expect(output).toContain('a secret of 26 characters');
    expect(output).toContain('mysql://reconciler:***@127.0.0.1:5432/…');
    expect(output).not.toContain(password);
    expect(output).not.toContain(token);
  });
});

describe('production refuses every secret this repository publishes', () => {
  const generated = GENERATED();
  /** A whole production configuration of every app, each secret generated. */
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL: `postgres://app:${generated}@db:5432/redpacket?sslmode=verify-full`,
    ADMIN_CREDENTIALS: `ops:read:${GENERATED()}`,
    PROBE_WRITE_TOKEN: GENERATED(),
    EVENT_SIGNING_KEY: EVENT_KEYS.privateKey,
    EVENT_VERIFY_KEYS: EVENT_KEYS.publicKeys,
    KAFKA_BROKERS: 'kafka:9092',
    // TLS, verified with the system's CAs.
    KAFKA_SSL: 'true',
    KAFKA_SASL_USERNAME: 'redpacket-app',
    KAFKA_SASL_PASSWORD: GENERATED(),
    AUTH_JWT_SECRET: GENERATED(),
    AUTH_ALLOW_SHARED_SECRET: 'true',
    KAFKA_REPLICATION_FACTOR: '3',
    ORDER_SERVICE_URL: 'http://order-service:3000',
  };
  const APPS = Object.keys(CONFIGS) as AppName[];

  it.each(APPS)('%s takes a production configuration whose secrets were generated', (app) => {
    expect(refusedSettings(app, production)).toEqual([]);
  });

  it.each(APPS)('%s refuses each published value as an admin token, Kafka password or database password', (app) => {
    const settings = {
      ADMIN_CREDENTIALS: (value: string) => ({ ADMIN_CREDENTIALS: `ops:read:${value}` }),
      ...(app === 'monitor' ? { PROBE_WRITE_TOKEN: (value: string) => ({ PROBE_WRITE_TOKEN: value }) } : {}),
      KAFKA_SASL_PASSWORD: (value: string) => ({ KAFKA_SASL_PASSWORD: value }),
      DATABASE_URL: (value: string) => ({
        DATABASE_URL: `postgres://app:${encodeURIComponent(value)}@db:5432/x?sslmode=require`,
      }),
    };
    const taken = [...PUBLISHED_SECRETS].flatMap((published) =>
      Object.entries(settings)
        .filter(([setting, env]) => !refusedSettings(app, { ...production, ...env(published) }).includes(setting))
        .map(([setting]) => `${setting}=${published}`),
    );
    expect(taken).toEqual([]);
  });

  it('refuses the published customer-token secret in the order service', () => {
    for (const published of PUBLISHED_SECRETS) {
      if (published.length < 32) continue; // shorter ones are refused as too short already
      expect(refusedSettings('order-service', { ...production, AUTH_JWT_SECRET: published })).toEqual([
        'AUTH_JWT_SECRET',
      ]);
    }
  });

  it.each(APPS)('%s does not boot with the published secrets, and says which, without printing them', async (app) => {
    const output = await refusal(app, {
      ADMIN_CREDENTIALS: 'ops:read:dev-admin-token-change-me',
      KAFKA_SASL_PASSWORD: 'redpacket-admin-development-password',
      ...(app === 'order-service' ? { AUTH_JWT_SECRET: 'development-customer-token-secret-change-me' } : {}),
    });
    expect(problemsIn(output).sort()).toEqual(
      ['ADMIN_CREDENTIALS', 'KAFKA_SASL_PASSWORD', ...(app === 'order-service' ? ['AUTH_JWT_SECRET'] : [])].sort(),
    );
    expect(output).toContain('a value this repository publishes');
    expect(output).not.toContain('dev-admin-token-change-me');
    expect(output).not.toContain('redpacket-admin-development-password');
  });
});

describe('secrets in the logs of a running app', () => {
  it('never prints an admin token, the database password or the alert webhook, even when they fail', async () => {
    // The local server trusts local connections, so a password in the URL is accepted and ignored.
    const password = `db-${randomUUID()}`;
    const url = new URL(process.env.DATABASE_URL ?? '');
    url.password = password;
    const webhookSecret = `hooks/${randomUUID()}`;
    const refusing = createServer((_request, response) => response.writeHead(500).end());
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const webhook = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/${webhookSecret}`;
    const adminToken = `admin-${randomUUID()}`;
    const probeToken = `probes-${randomUUID()}`;
    const namespace = testNamespace(__filename);
    const [port, ordersPort] = [await freePort(), await freePort()];
    let app: AppProcess | undefined;
    // The order service writes the monitor's probes; the monitor sends it its probe token each time.
    const orders = spawnApp('order-service', {
      KAFKA_NAMESPACE: namespace,
      HTTP_PORT: String(ordersPort),
      ADMIN_CREDENTIALS: `monitor:probes:${probeToken}`,
      OUTBOX_RELAY_ENABLED: 'false',
    });
    try {
      await pollUntil(
        'the order service to be ready',
        async () =>
          (await fetch(`http://127.0.0.1:${ordersPort}/health/ready`).catch(() => undefined))?.ok ? true : undefined,
        { timeoutMs: 30_000 },
      );
      app = spawnApp('monitor', {
        KAFKA_NAMESPACE: namespace,
        ORDER_SERVICE_URL: `http://127.0.0.1:${ordersPort}`,
        LOG_LEVEL: 'debug',
        HTTP_PORT: String(port),
        DATABASE_URL: url.toString(),
        ADMIN_CREDENTIALS: `ops:read:${adminToken}`,
        PROBE_WRITE_TOKEN: probeToken,
        PROBE_ALERT_WEBHOOK_URL: webhook,
        PROBE_ALERT_THRESHOLD_MS: '10',
        MONITOR_POLL_INTERVAL_MS: '200',
        PROBE_INTERVAL_MS: '200',
      });
      const running = app;
      await pollUntil(
        'the webhook to fail and be logged',
        async () => (running.output().includes('probe alert webhook failed') ? true : undefined),
        { timeoutMs: 30_000 },
      );
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(ready.status).toBe(200);
      const output = running.output();
      expect(output).toContain(`"webhook":"http://127.0.0.1:${(refusing.address() as AddressInfo).port}/…"`);
      for (const secret of [password, webhookSecret, adminToken, probeToken]) expect(output).not.toContain(secret);
      expect(orders.output()).not.toContain(probeToken);
    } finally {
      await app?.kill();
      await orders.kill();
      refusing.close();
    }
  });
});

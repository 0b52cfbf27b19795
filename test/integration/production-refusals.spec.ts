import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pollUntil } from '../../scripts/infra/process-utils';
import { type AppName, type AppProcess, spawnApp } from '../support/app-process';
import { freePort } from '../support/free-port';
import { testNamespace } from '../support/namespace';

/** What a production deployment gets right; each test then breaks some of it. */
const SAFE_PRODUCTION = {
  NODE_ENV: 'production',
  ADMIN_TOKEN: 'production-admin-token-0123456789',
  KAFKA_REPLICATION_FACTOR: '1',
  KAFKA_ALLOW_WEAK_DURABILITY: 'true',
};

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
      { REWARD_STRATEGY: 'none', FAILPOINTS: 'grant.before-commit=crash', KAFKA_ALLOW_WEAK_DURABILITY: 'false' },
      ['REWARD_STRATEGY', 'KAFKA_REPLICATION_FACTOR', 'FAILPOINTS'],
    ],
    ['reconciler', { REWARD_STRATEGY: 'inbox-no-tx', ADMIN_TOKEN: '' }, ['REWARD_STRATEGY', 'ADMIN_TOKEN']],
    [
      'order-service',
      {
        ORDER_EVENT_CARRIES_WALLET_VERSION: 'true',
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_MIN_INSYNC_REPLICAS: '1',
        KAFKA_ALLOW_WEAK_DURABILITY: 'false',
      },
      ['AUTH_JWT_SECRET', 'KAFKA_MIN_INSYNC_REPLICAS', 'ORDER_EVENT_CARRIES_WALLET_VERSION'],
    ],
    [
      'monitor',
      { FAILPOINTS: 'relay.after-send=crash', ADMIN_TOKEN: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' },
      ['FAILPOINTS', 'ADMIN_TOKEN', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'],
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
      ADMIN_TOKEN: token,
    });
    expect(problemsIn(output).sort()).toEqual(['ADMIN_TOKEN', 'DATABASE_URL']);
    expect(output).toContain('a secret of 12 characters');
    expect(output).toContain('mysql://reconciler:***@127.0.0.1:5432/…');
    expect(output).not.toContain(password);
    expect(output).not.toContain(token);
  });
});

describe('secrets in the logs of a running app', () => {
  it('never prints the admin token, the database password or the alert webhook, even when they fail', async () => {
    // The local server trusts local connections, so a password in the URL is accepted and ignored.
    const password = `db-${randomUUID()}`;
    const url = new URL(process.env.DATABASE_URL ?? '');
    url.password = password;
    const webhookSecret = `hooks/${randomUUID()}`;
    const refusing = createServer((_request, response) => response.writeHead(500).end());
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const webhook = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/${webhookSecret}`;
    const adminToken = `admin-${randomUUID()}`;
    const namespace = testNamespace(__filename);
    const [port, ordersPort] = [await freePort(), await freePort()];
    let app: AppProcess | undefined;
    // The order service writes the monitor's probes; the monitor sends it the admin token each time.
    const orders = spawnApp('order-service', {
      KAFKA_NAMESPACE: namespace,
      HTTP_PORT: String(ordersPort),
      ADMIN_TOKEN: adminToken,
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
        ADMIN_TOKEN: adminToken,
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
      for (const secret of [password, webhookSecret, adminToken]) expect(output).not.toContain(secret);
      expect(orders.output()).not.toContain(adminToken);
    } finally {
      await app?.kill();
      await orders.kill();
      refusing.close();
    }
  });
});

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { customerToken } from '../support/customer';
import { pollUntil } from '../../scripts/infra/process-utils';
import { type AppProcess, spawnProcess } from '../support/app-process';
import { buildDockerfile, buildEnv, type BuiltImage } from '../support/dockerfile-build';
import { freePort } from '../support/free-port';
import { createDatabase, databaseUrlFor, dropDatabase } from '../support/test-database';

jest.setTimeout(900_000);

const REPO_ROOT = join(__dirname, '..', '..');
const OUR_IMAGE = 'redpacket:local';
const NAMESPACE = `compose-${randomUUID().slice(0, 8)}`;

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  ports?: { published: number; target: number }[];
}

/** The compose model as Docker would run it: anchors merged, variables interpolated, profiles applied. */
function resolvedCompose(profile?: string): Record<string, ComposeService> {
  const [command, ...prefix] = composeCommand();
  const args = [...prefix, ...(profile ? ['--profile', profile] : []), 'config'];
  const output = execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', env: buildEnv() });
  return (parse(output) as { services: Record<string, ComposeService> }).services;
}

/** Docker's compose plugin when the CLI has it, else the standalone docker-compose (.ci/run installs it). */
function composeCommand(): string[] {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}

/**
 * Each advertised listener of a broker, and whether a client could use it: a compose service name
 * from inside the network, or localhost on a port published to the listener's container port.
 */
function advertisedListeners(services: Record<string, ComposeService>) {
  return Object.entries(services)
    .filter(([, s]) => s.environment?.KAFKA_ADVERTISED_LISTENERS)
    .flatMap(([name, s]) => {
      const listeners = String(s.environment?.KAFKA_LISTENERS).split(',');
      return String(s.environment?.KAFKA_ADVERTISED_LISTENERS)
        .split(',')
        .map((advertised) => {
          const [, listener, host, port] = /^(\w+):\/\/([^:]+):(\d+)$/.exec(advertised) ?? [];
          const containerPort = Number(/:(\d+)$/.exec(listeners.find((l) => l.startsWith(`${listener}:`)) ?? '')?.[1]);
          const published = Number((s.ports ?? []).find((p) => Number(p.target) === containerPort)?.published);
          const reachable = host === 'localhost' ? published === Number(port) : host in services;
          return { broker: name, advertised, reachable, fromHost: host === 'localhost' && reachable };
        });
    });
}

/**
 * The service's environment with the compose network's host names pointed at this machine's broker
 * and a fresh database; nothing from the test's own environment. Topics and groups get a namespace
 * of their own, the one variable added, so the shared broker's other runs stay out of it.
 */
function environmentOf(service: ComposeService, image: BuiltImage, hosts: { kafka: string; database: string }) {
  const env: Record<string, string> = {
    ...buildEnv(),
    ...image.env,
    KAFKA_NAMESPACE: NAMESPACE,
  };
  for (const [key, value] of Object.entries(service.environment ?? {})) {
    env[key] = String(value ?? '')
      .replace(/postgres:\/\/(?:([^:@]*)(?::[^@]*)?@)?postgres:5432\/\w+/, (_, user?: string) =>
        asUser(hosts.database, user),
      )
      .replace(/\bkafka(-\d)?:\d+(,kafka(-\d)?:\d+)*/, hosts.kafka);
  }
  return env;
}

/** The test server trusts local connections: the service's user is kept, its password is not needed. */
function asUser(databaseUrl: string, user: string | undefined): string {
  const url = new URL(databaseUrl);
  if (user) url.username = user;
  url.password = '';
  return url.toString();
}

describe('docker-compose.yml, run the way its containers would run, without Docker', () => {
  const services = resolvedCompose();
  const ours = Object.entries(services).filter(([, s]) => s.image === OUR_IMAGE);
  const database = `redpacket_compose_${Date.now()}`;
  const serverUrl = process.env.TEST_SERVER_DATABASE_URL ?? '';
  const hosts = { kafka: process.env.KAFKA_BROKERS ?? '', database: databaseUrlFor(serverUrl, database) };
  const running = new Map<string, AppProcess>();
  let image: BuiltImage;

  beforeAll(async () => {
    image = buildDockerfile(REPO_ROOT);
    await createDatabase(serverUrl, database);
  });
  afterAll(async () => {
    await Promise.all([...running.values()].map((app) => app.kill('SIGKILL')));
    await dropDatabase(serverUrl, database);
    if (image) rmSync(join(image.root, '..'), { recursive: true, force: true });
  });

  it('names our image for the migration and every app', () => {
    expect(ours.map(([name]) => name).sort()).toEqual([
      'migrate',
      'monitor',
      'order-service',
      'reconciler',
      'reward-service',
    ]);
  });

  it('connects the reconciler as its own role, whose password the migration sets', () => {
    expect(String(services.reconciler.environment?.DATABASE_URL)).toMatch(/^postgres:\/\/redpacket_reconciler:/);
    expect(services.migrate.environment?.RECONCILER_DATABASE_PASSWORD).toEqual(expect.any(String));
    for (const name of ['reward-service', 'reconciler']) {
      expect(services[name].environment?.ADMIN_TOKEN).toEqual(expect.any(String));
    }
  });

  it('starts every app after the migration and a healthy broker, and the watchers after healthy apps', () => {
    const apps = ours.map(([name]) => name).filter((name) => name !== 'migrate');
    for (const name of apps) {
      expect({ name, dependsOn: services[name].depends_on }).toMatchObject({
        dependsOn: {
          migrate: { condition: 'service_completed_successfully' },
          kafka: { condition: 'service_healthy' },
        },
      });
    }
    const healthy = { condition: 'service_healthy' };
    expect(services.monitor.depends_on).toMatchObject({ 'order-service': healthy, 'reward-service': healthy });
    expect(services.prometheus.depends_on).toMatchObject(Object.fromEntries(apps.map((app) => [app, healthy])));
  });

  it.each([
    ['default', undefined],
    ['cluster', 'cluster'],
  ])('lets containers and host tools reach every broker (%s profile)', (_label, profile) => {
    const listeners = advertisedListeners(resolvedCompose(profile));
    expect(listeners.filter((l) => !l.reachable)).toEqual([]);
    const brokers = [...new Set(listeners.map((l) => l.broker))];
    expect(brokers.filter((b) => !listeners.some((l) => l.broker === b && l.fromHost))).toEqual([]);
  });

  it('migrates, brings every app to ready, and grants the packet of an order placed through it', async () => {
    const [, migrate] = ours.find(([name]) => name === 'migrate') ?? [];
    const migration = start('migrate', migrate);
    expect({ exit: (await migration.exited).code, output: migration.output().slice(-500) }).toMatchObject({ exit: 0 });

    const apps = ours.filter(([name]) => name !== 'migrate');
    const urls: Record<string, string> = {};
    for (const [name, service] of apps) {
      const port = await freePort();
      urls[name] = `http://127.0.0.1:${port}`;
      start(name, service, { HTTP_PORT: String(port) });
    }
    for (const [name] of apps) await waitReady(name, urls[name]);

    const userId = `compose-${randomUUID().slice(0, 8)}`;
    // Signed with the secret the compose file gives the order service, as `npm run token` would.
    const secret = String(services['order-service'].environment?.AUTH_JWT_SECRET);
    const auth = { authorization: `Bearer ${await customerToken(userId, { secret })}` };
    const placed = await fetch(`${urls['order-service']}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...auth },
      body: JSON.stringify({ items: [{ sku: 'MUG', quantity: 3 }] }),
    });
    expect(placed.status).toBe(201);
    const packets = await pollUntil(
      'the order’s red packet',
      async () => {
        const response = await fetch(`${urls['order-service']}/users/${userId}/red-packets`, { headers: auth });
        const body = (await response.json()) as { items?: unknown[] } | unknown[];
        const items = Array.isArray(body) ? body : (body.items ?? []);
        return items.length > 0 ? items : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(packets).toHaveLength(1);
  });

  /** Runs a service's command in the built image's working directory, with the service's environment only. */
  function start(name: string, service: ComposeService | undefined, extra: Record<string, string> = {}): AppProcess {
    if (!service?.command) throw new Error(`compose service ${name} has no command`);
    const [command, ...args] = service.command;
    const app = spawnProcess(command, args, {
      cwd: image.workdir,
      env: { ...environmentOf(service, image, hosts), ...extra },
    });
    running.set(name, app);
    return app;
  }

  async function waitReady(name: string, url: string): Promise<void> {
    const app = running.get(name);
    await pollUntil(
      `${name} to be ready`,
      async () => {
        if (app?.child.exitCode !== null) throw new Error(`${name} exited with ${app?.child.exitCode}`);
        const response = await fetch(`${url}/health/ready`).catch(() => undefined);
        return response?.ok ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${name} ---\n${app?.output().slice(-2000)}`, { cause: error });
    });
  }
});

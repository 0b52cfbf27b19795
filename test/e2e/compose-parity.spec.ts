import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createKafkaClient, type KafkaCredentials } from '@redpacket/kafka';
import { parse } from 'yaml';
import { customerToken } from '../../testkit/support/customer';
import { produceAnswer } from '../../testkit/support/kafka.helpers';
import { DEFAULT_KAFKA_VERSION, ensureKafkaJars, waitForKafka } from '../../testkit/infra/local-kafka';
import { pollUntil } from '../../testkit/infra/process-utils';
import { REPO_ROOT as INFRA_ROOT } from '../../testkit/infra/provision';
import { type AppProcess, spawnProcess } from '../../testkit/support/app-process';
import { generateComposeSecrets } from '../../testkit/compose/compose-secrets';
import { buildDockerfile, buildEnv, type BuiltImage } from '../../testkit/support/dockerfile-build';
import { freePort } from '../../testkit/support/free-port';
import { createDatabase, databaseUrlFor, dropDatabase } from '../../testkit/support/test-database';

jest.setTimeout(900_000);

const REPO_ROOT = join(__dirname, '..', '..');
const OUR_IMAGE = 'redpacket:local';
const NAMESPACE = `compose-${randomUUID().slice(0, 8)}`;

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  /** Long form, or `[host_ip:]published:target[/protocol]` (docker-compose 1.x prints a bound port so). */
  ports?: ({ published: number | string; target: number; host_ip?: string } | string)[];
  /** Long form, or `source:target[:mode]` (docker-compose 1.x). */
  volumes?: ({ type: string; source: string; target: string } | string)[];
}

/** What `npm run compose:env` would write to .env: the compose file refuses to start without them. */
const SECRETS = generateComposeSecrets();

/** The compose model as Docker would run it: anchors merged, variables interpolated, profiles applied. */
function resolvedCompose(profile?: string): Record<string, ComposeService> {
  const [command, ...prefix] = composeCommand();
  const args = [...prefix, ...(profile ? ['--profile', profile] : []), 'config'];
  const output = execFileSync(command, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...buildEnv(), ...SECRETS },
  });
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

/** A service's published ports, whichever form the compose tool printed them in. */
function portsOf(service: ComposeService): { hostIp: string; published: number; target: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port !== 'string')
      return { hostIp: port.host_ip ?? '0.0.0.0', published: Number(port.published), target: Number(port.target) };
    const [target, published, hostIp = '0.0.0.0'] = port
      .replace(/\/\w+$/, '')
      .split(':')
      .reverse();
    return { hostIp, published: Number(published), target: Number(target) };
  });
}

/**
 * Where a service's mounts are on this machine: a bind mount's own source, a named volume a folder
 * of the run (shared by every service that mounts it, as Docker shares the volume).
 */
function mountsOf(service: ComposeService, volumesDir: string): { target: string; source: string }[] {
  return (service.volumes ?? []).map((volume) => {
    const { source, target } =
      typeof volume === 'string'
        ? (([from, to]) => ({ source: from, target: to }))(volume.split(':'))
        : { source: volume.source, target: volume.target };
    return { target, source: source.startsWith('/') ? source : join(volumesDir, source) };
  });
}

/** A container path as this machine reaches it through the service's mounts; unchanged where none holds it. */
function onHost(text: string, mounts: { target: string; source: string }[]): string {
  return text.replace(/\/redpacket\/[\w./-]+/g, (path) => {
    const mount = mounts.find(({ target }) => path === target || path.startsWith(`${target}/`));
    return mount ? mount.source + path.slice(mount.target.length) : path;
  });
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
          const published = portsOf(s).find((p) => p.target === containerPort)?.published;
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
function environmentOf(
  service: ComposeService,
  image: BuiltImage,
  hosts: { kafka: string; database: string; volumes: string },
) {
  const env: Record<string, string> = {
    ...buildEnv(),
    ...image.env,
    KAFKA_NAMESPACE: NAMESPACE,
  };
  const mounts = mountsOf(service, hosts.volumes);
  for (const [key, value] of Object.entries(service.environment ?? {})) {
    env[key] = onHost(String(value ?? ''), mounts)
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

/**
 * The compose file's one-shot kafka-tls service: its own command (scripts/compose/kafka-tls.sh) and
 * environment, with this machine's keytool, writing into the run's folders for its volumes.
 */
function makeComposeCertificates(service: ComposeService, volumesDir: string): string {
  const mounts = mountsOf(service, volumesDir);
  const [command, ...args] = service.command ?? [];
  const env = Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, onHost(String(v ?? ''), mounts)]),
  );
  return execFileSync(
    command,
    args.map((arg) => onHost(arg, mounts)),
    { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' },
  );
}

/**
 * The compose broker, started by the compose file's own command (scripts/compose/kafka-broker.sh) with its
 * environment: only the container's paths become folders here (its mounts), its ports free ports of this
 * machine, and /opt/kafka/bin two lines that run the same Kafka version from its jars.
 */
async function startComposeBroker(
  service: ComposeService,
  volumesDir: string,
): Promise<{ process: AppProcess; brokers: string[]; dir: string; caFile: string }> {
  const libs = await ensureKafkaJars(DEFAULT_KAFKA_VERSION, join(INFRA_ROOT, '.infra', 'cache'), () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'redpacket-compose-kafka-'));
  const bin = join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  const java = `exec java -Xms256m -Xmx512m -Dlog4j.configuration=file:${dir}/log4j.properties -cp "${libs}/*"`;
  writeFileSync(join(bin, 'kafka-storage.sh'), `#!/usr/bin/env bash\n${java} kafka.tools.StorageTool "$@"\n`, {
    mode: 0o755,
  });
  writeFileSync(join(bin, 'kafka-server-start.sh'), `#!/usr/bin/env bash\n${java} kafka.Kafka "$@"\n`, { mode: 0o755 });
  writeFileSync(
    join(dir, 'log4j.properties'),
    'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
  );
  const [internal, external, controller] = [await freePort(), await freePort(), await freePort()];
  const mounts = mountsOf(service, volumesDir);
  const env = Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, onHost(String(v ?? ''), mounts)]),
  );
  const ports = (text: string) =>
    text
      .replace(/(INTERNAL:\/\/)[\w.-]*:29092/, `$1127.0.0.1:${internal}`)
      .replace(/(EXTERNAL:\/\/)[\w.-]*:9092/, `$1127.0.0.1:${external}`)
      .replace(/(CONTROLLER:\/\/)[\w.-]*:9093/, `$1127.0.0.1:${controller}`)
      .replace(/@kafka:9093/, `@127.0.0.1:${controller}`);
  const [command, ...args] = service.command ?? [];
  const process = spawnProcess(command, [onHost(args[0] ?? '', mounts)], {
    cwd: dir,
    env: {
      PATH: globalThis.process.env.PATH,
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, ports(v)])),
      KAFKA_BIN: bin,
      KAFKA_DATA_DIR: join(dir, 'data'),
      KAFKA_CONFIG_FILE: join(dir, 'server.properties'),
      KAFKA_ADMIN_CONFIG_FILE: join(dir, 'admin.properties'),
    },
  });
  const brokers = [`127.0.0.1:${internal}`];
  const admin = { username: 'redpacket-admin', password: env.KAFKA_ADMIN_PASSWORD };
  // Verified with the CA the kafka-tls service wrote to the volume the apps mount.
  const caFile = join(volumesDir, 'kafka-tls-ca', 'ca.pem');
  await waitForKafka(brokers, 1, 90_000, admin, { caFile }).catch((error: Error) => {
    throw new Error(`${error.message}\n--- compose broker ---\n${process.output().slice(-3000)}`, { cause: error });
  });
  return { process, brokers, dir, caFile };
}

/** A produce to the namespace's order.purchased as `credentials`: 'written', or the error the broker gave. */
async function produceAs(brokers: string[], caFile: string, credentials: KafkaCredentials): Promise<string> {
  const kafka = createKafkaClient({
    brokers,
    tls: { ca: readFileSync(caFile, 'utf8') },
    clientId: 'compose-forger',
    logger: new Logger('ComposeForger'),
    logLevel: 'error',
    retry: { retries: 1 },
    sasl: credentials,
  });
  return produceAnswer(kafka, `${NAMESPACE}.order.purchased`);
}

describe('docker-compose.yml, run the way its containers would run, without Docker', () => {
  const services = resolvedCompose();
  const ours = Object.entries(services).filter(([, s]) => s.image === OUR_IMAGE);
  const database = `redpacket_compose_${Date.now()}`;
  const serverUrl = process.env.TEST_SERVER_DATABASE_URL ?? '';
  const volumes = mkdtempSync(join(tmpdir(), 'redpacket-compose-volumes-'));
  const hosts = { kafka: '', database: databaseUrlFor(serverUrl, database), volumes };
  const running = new Map<string, AppProcess>();
  let image: BuiltImage;
  let broker: Awaited<ReturnType<typeof startComposeBroker>> | undefined;
  let certificates = '';

  beforeAll(async () => {
    image = buildDockerfile(REPO_ROOT);
    await createDatabase(serverUrl, database);
    certificates = makeComposeCertificates(services['kafka-tls'], volumes);
    broker = await startComposeBroker(services.kafka, volumes);
    hosts.kafka = broker.brokers.join(',');
  });
  afterAll(async () => {
    await Promise.all([...running.values()].map((app) => app.kill('SIGKILL')));
    await broker?.process.kill('SIGKILL');
    if (broker) rmSync(broker.dir, { recursive: true, force: true });
    rmSync(volumes, { recursive: true, force: true });
    await dropDatabase(serverUrl, database);
    if (image) rmSync(join(image.root, '..'), { recursive: true, force: true });
  });

  it.each(['default', 'cluster'])('publishes every port on 127.0.0.1 only (%s profile)', (profile) => {
    const published = Object.entries(resolvedCompose(profile === 'default' ? undefined : profile)).flatMap(
      ([name, service]) => portsOf(service).map((port) => ({ name, ...port })),
    );
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter((port) => port.hostIp !== '127.0.0.1')).toEqual([]);
  });

  it('names our image for the migration and every app', () => {
    expect(ours.map(([name]) => name).sort()).toEqual([
      'kafka-setup',
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
  });

  it('gives each app admin credentials for the scopes it serves only, and the monitor no token but its probe writer', () => {
    const scopesOf = (name: string) =>
      String(services[name].environment?.ADMIN_CREDENTIALS ?? '')
        .split(',')
        .map((entry) => entry.split(':').slice(0, 2).join(':'));
    expect(scopesOf('order-service')).toEqual(['ops:read', 'monitor:probes', 'metrics:metrics']);
    expect(scopesOf('reward-service')).toEqual(['rules-admin:rules', 'ops:read', 'metrics:metrics']);
    expect(scopesOf('reconciler')).toEqual(['reconcile-admin:reconcile', 'ops:read', 'metrics:metrics']);
    expect(scopesOf('monitor')).toEqual(['ops:read', 'metrics:metrics']);
    const tokens = (name: string) =>
      String(services[name].environment?.ADMIN_CREDENTIALS ?? '')
        .split(',')
        .map((entry) => entry.split(':').slice(2).join(':'));
    // Prometheus scrapes with the metrics credential's token, and nothing else.
    expect(services.prometheus.environment?.METRICS_TOKEN).toBe(tokens('monitor')[1]);
    const monitorProbes = String(services.monitor.environment?.PROBE_WRITE_TOKEN);
    expect(tokens('order-service')[1]).toBe(monitorProbes);
    const powerful = [...tokens('reward-service').slice(0, 1), ...tokens('reconciler').slice(0, 1)];
    expect(tokens('monitor').filter((token) => powerful.includes(token))).toEqual([]);
    for (const name of ['order-service', 'reward-service', 'reconciler', 'monitor', 'kafka-setup']) {
      expect({ name, token: services[name].environment?.ADMIN_TOKEN }).toEqual({ name, token: undefined });
    }
  });

  it('starts every app after the migration and the broker setup, the setup after a healthy broker, and the watchers after healthy apps', () => {
    const apps = ours.map(([name]) => name).filter((name) => name !== 'migrate' && name !== 'kafka-setup');
    const done = { condition: 'service_completed_successfully' };
    for (const name of apps) {
      expect({ name, dependsOn: services[name].depends_on }).toMatchObject({
        dependsOn: { migrate: done, 'kafka-setup': done },
      });
    }
    const healthy = { condition: 'service_healthy' };
    expect(services['kafka-setup'].depends_on).toMatchObject({ kafka: healthy });
    expect(services.monitor.depends_on).toMatchObject({ 'order-service': healthy, 'reward-service': healthy });
    expect(services.prometheus.depends_on).toMatchObject(Object.fromEntries(apps.map((app) => [app, healthy])));
  });

  it("sends every app's spans to the compose file's Jaeger over OTLP/HTTP, on the port its receiver is told to open", () => {
    const apps = ours.map(([name]) => name).filter((name) => name !== 'migrate' && name !== 'kafka-setup');
    for (const name of apps) {
      expect({ name, exporter: services[name].environment?.TRACING_EXPORTER }).toEqual({ name, exporter: 'otlp' });
      const url = new URL(String(services[name].environment?.TRACING_OTLP_URL));
      expect({ name, host: url.hostname, path: url.pathname }).toEqual({ name, host: 'jaeger', path: '/v1/traces' });
      expect(services.jaeger.command).toContain(`--set=receivers.otlp.protocols.http.endpoint=0.0.0.0:${url.port}`);
    }
  });

  it.each(['default', 'cluster'])(
    'runs every broker on TLS from the kafka-tls service, and every app verifies it with that CA (%s profile)',
    (profile) => {
      const resolved = resolvedCompose(profile === 'default' ? undefined : profile);
      const made = mountsOf(resolved['kafka-tls'], '/volumes');
      const madeBy = (service: ComposeService, path: string) => {
        const mount = mountsOf(service, '/volumes').find(({ target }) => path.startsWith(`${target}/`));
        return made.some(({ source }) => source === mount?.source);
      };
      const done = { condition: 'service_completed_successfully' };
      const brokers = Object.entries(resolved).filter(([, s]) => s.environment?.KAFKA_ADVERTISED_LISTENERS);
      expect(brokers.length).toBeGreaterThan(0);
      for (const [name, service] of brokers) {
        const keystore = `${String(service.environment?.KAFKA_TLS_DIR)}/broker.p12`;
        expect({ name, keystoreFromTheTlsService: madeBy(service, keystore) }).toEqual({
          name,
          keystoreFromTheTlsService: true,
        });
        expect({ name, dependsOn: service.depends_on }).toMatchObject({ dependsOn: { 'kafka-tls': done } });
        expect(service.environment?.KAFKA_TLS_KEYSTORE_PASSWORD).toBe(
          resolved['kafka-tls'].environment?.KAFKA_TLS_KEYSTORE_PASSWORD,
        );
      }
      for (const [name, service] of ours.filter(([app]) => app !== 'migrate')) {
        const ca = String(service.environment?.KAFKA_SSL_CA_FILE);
        expect({
          name,
          caFromTheTlsService: madeBy(service, ca),
          plaintext: service.environment?.KAFKA_ALLOW_PLAINTEXT,
        }).toEqual({
          name,
          caFromTheTlsService: true,
          plaintext: undefined,
        });
      }
    },
  );

  it('keeps the certificates the kafka-tls service made when it runs again', () => {
    expect(certificates).toMatch(/made a development CA/);
    const before = readFileSync(join(volumes, 'kafka-tls-ca', 'ca.pem'), 'utf8');
    expect(makeComposeCertificates(services['kafka-tls'], volumes)).toMatch(/kept the development CA/);
    expect(readFileSync(join(volumes, 'kafka-tls-ca', 'ca.pem'), 'utf8')).toBe(before);
    // The CA's private key stayed in the one-shot run: the volumes hold the keystores and the CA's certificate.
    expect(readdirSync(join(volumes, 'kafka-tls-broker')).sort()).toEqual(['broker.p12', 'truststore.p12']);
    expect(readdirSync(join(volumes, 'kafka-tls-ca'))).toEqual(['ca.pem']);
  });

  it('gives every broker a cluster id kafka-storage accepts: 16 bytes, base64url', () => {
    for (const broker of ['kafka', 'kafka-1', 'kafka-2', 'kafka-3']) {
      const id = String(resolvedCompose('cluster')[broker].environment?.CLUSTER_ID);
      expect({ broker, bytes: Buffer.from(id, 'base64url').length }).toEqual({ broker, bytes: 16 });
    }
  });

  it('signs every app in to Kafka as its own principal, with a password the brokers created', () => {
    const principals = {
      'order-service': 'ORDER_SERVICE',
      'reward-service': 'REWARD_SERVICE',
      monitor: 'MONITOR',
      reconciler: 'RECONCILER',
    };
    for (const broker of ['kafka', 'kafka-1', 'kafka-2', 'kafka-3']) {
      const users = resolvedCompose('cluster')[broker].environment ?? {};
      for (const [app, prefix] of Object.entries(principals)) {
        expect({ app, broker, username: services[app].environment?.KAFKA_SASL_USERNAME }).toEqual({
          app,
          broker,
          username: app,
        });
        expect(services[app].environment?.KAFKA_SASL_PASSWORD).toBe(users[`${prefix}_KAFKA_PASSWORD`]);
      }
      expect(services['kafka-setup'].environment?.KAFKA_SASL_PASSWORD).toBe(users.KAFKA_ADMIN_PASSWORD);
    }
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

  it('migrates, sets up the broker it starts, brings every app to ready, and grants the packet of an order placed through it', async () => {
    const [, migrate] = ours.find(([name]) => name === 'migrate') ?? [];
    const migration = start('migrate', migrate);
    expect({ exit: (await migration.exited).code, output: migration.output().slice(-500) }).toMatchObject({ exit: 0 });

    const [, setup] = ours.find(([name]) => name === 'kafka-setup') ?? [];
    const granting = start('kafka-setup', setup);
    expect({ exit: (await granting.exited).code, output: granting.output().slice(-500) }).toMatchObject({ exit: 0 });
    // The compose broker refuses an order event from anyone but the order service.
    const forger = services['reward-service'].environment ?? {};
    expect(
      await produceAs(broker?.brokers ?? [], broker?.caFile ?? '', {
        username: String(forger.KAFKA_SASL_USERNAME),
        password: String(forger.KAFKA_SASL_PASSWORD),
      }),
    ).toBe('TOPIC_AUTHORIZATION_FAILED');

    const apps = ours.filter(([name]) => name !== 'migrate' && name !== 'kafka-setup');
    const urls: Record<string, string> = {};
    for (const [name] of apps) urls[name] = `http://127.0.0.1:${await freePort()}`;
    for (const [name, service] of apps) {
      // The compose network's host name of the order service, as this machine reaches it.
      const probes = String(service.environment?.ORDER_SERVICE_URL ?? '').replace(
        'http://order-service:3000',
        urls['order-service'],
      );
      start(name, service, { HTTP_PORT: new URL(urls[name]).port, ...(probes ? { ORDER_SERVICE_URL: probes } : {}) });
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

    // The monitor's probes go through the compose file's own ORDER_SERVICE_URL: a wrong one leaves it blind.
    // Read with the token Prometheus scrapes with: the snapshot takes the metrics scope.
    const metricsAuth = { authorization: `Bearer ${String(services.prometheus.environment?.METRICS_TOKEN)}` };
    const monitor = await pollUntil(
      'the monitor to have its probes written',
      async () => {
        const response = await fetch(`${urls.monitor}/api/snapshot`, { headers: metricsAuth });
        const snapshot = (await response.json()) as { counters: { probesWritten: number }; probeWrites: unknown };
        return snapshot.counters.probesWritten > 0 ? snapshot : undefined;
      },
      { timeoutMs: 30_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- monitor ---\n${running.get('monitor')?.output().slice(-2000)}`, {
        cause: error,
      });
    });
    expect(monitor.probeWrites).toMatchObject({ blind: false, failingForMs: 0 });
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

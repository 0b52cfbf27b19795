import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { busyPorts } from '../../testkit/infra/busy-ports';
import { pollUntil } from '../../testkit/infra/process-utils';
import { type AppProcess, spawnProcess } from '../../testkit/support/app-process';
import { asCustomer } from '../../testkit/support/customer';
import { createMigratedDatabase } from '../../testkit/support/test-database';

jest.setTimeout(300_000);

const REPO_ROOT = join(__dirname, '..', '..');
const APPS = ['order-service', 'reward-service', 'reconciler', 'monitor'];

/** `count` consecutive ports of 127.0.0.1 that nothing listens on. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 30_000 + Math.floor(Math.random() * 20_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await busyPorts('127.0.0.1', ports)).length === 0) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

interface Stack {
  process: AppProcess;
  basePort: number;
  stateDir: string;
}

/**
 * `npm run system` as a person runs it, on its own broker (from the jars, on `kafkaPort`) and a database
 * of the test's own: the environment holds no broker of the test's.
 */
function startSystem(options: { basePort: number; kafkaPort: number; databaseUrl: string; namespace: string }): Stack {
  const stateDir = mkdtempSync(join(tmpdir(), 'redpacket-system-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    KAFKA_BROKERS: undefined,
    KAFKA_SASL_USERNAME: undefined,
    KAFKA_SASL_PASSWORD: undefined,
    FAILPOINTS: undefined,
    SYSTEM_BASE_PORT: String(options.basePort),
    SYSTEM_STATE_DIR: stateDir,
    KAFKA_LOCAL_PORT: String(options.kafkaPort),
    KAFKA_NAMESPACE: options.namespace,
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: 'warn',
  };
  const process_ = spawnProcess(process.execPath, ['-r', './scripts/register.cjs', 'scripts/system.ts'], {
    cwd: REPO_ROOT,
    env,
  });
  return { process: process_, basePort: options.basePort, stateDir };
}

const urlOf = (stack: Stack, app: string) => `http://127.0.0.1:${stack.basePort + APPS.indexOf(app)}`;

function pidsOf(stack: Stack, app: string): number[] {
  return [...stack.process.output().matchAll(new RegExp(`started ${app} \\(pid (\\d+)\\)`, 'g'))].map((m) =>
    Number(m[1]),
  );
}

async function placeQualifyingOrder(stack: Stack, userId: string): Promise<string> {
  const response = await fetch(`${urlOf(stack, 'order-service')}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...(await asCustomer(userId)) },
    body: JSON.stringify({ items: [{ sku: 'MUG', quantity: 3 }] }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { orderId: string }).orderId;
}

async function waitForPacket(dataSource: DataSource, orderId: string): Promise<void> {
  await pollUntil(
    `a red packet for order ${orderId}`,
    async () => {
      const rows = await dataSource.query<unknown[]>('SELECT 1 FROM rewards.red_packets WHERE order_id = $1', [
        orderId,
      ]);
      return rows.length === 1 ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/** The lines of the apps' logs at warn, error or fatal. */
function alarming(output: string): string[] {
  return output.split('\n').filter((line) => /"level":"(warn|error|fatal)"/.test(line));
}

describe('npm run system', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  const stacks: Stack[] = [];

  beforeAll(async () => {
    database = await createMigratedDatabase(`system_${Date.now().toString(36)}`);
    dataSource = await new DataSource({ type: 'postgres', url: database.url }).initialize();
  });

  afterAll(async () => {
    for (const stack of stacks) {
      await stack.process.kill('SIGTERM');
      rmSync(stack.stateDir, { recursive: true, force: true });
    }
    await dataSource?.destroy();
    await database?.drop();
  });

  it('restarts an app that dies, refuses a second broker on its Kafka port, and pays in its own namespace', async () => {
    const kafkaPort = await freePorts(2);
    const namespace = `sys-${Date.now().toString(36)}`;
    const first = startSystem({ basePort: await freePorts(4), kafkaPort, databaseUrl: database.url, namespace });
    stacks.push(first);
    await pollUntil(
      'the system to say how to use it',
      async () => {
        if (first.process.child.exitCode !== null) throw new Error(`npm run system exited:\n${first.process.output()}`);
        return first.process.output().includes('Ctrl-C stops the apps') ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    expect(first.process.output()).toContain(`granted every app its rules in the Kafka namespace "${namespace}"`);

    // A namespace of its own: its topics and ACLs were set up, and an order is paid through them.
    await waitForPacket(dataSource, await placeQualifyingOrder(first, `${namespace}-u1`));

    // Nothing was wrong, so the boot said nothing alarming: no app logged a warning or an error.
    expect(alarming(first.process.output())).toEqual([]);
    // An app killed with SIGKILL is started again in its place, as compose would, and is ready again.
    const [rewardPid] = pidsOf(first, 'reward-service');
    const killedAt = Date.now();
    process.kill(rewardPid, 'SIGKILL');
    await pollUntil(
      'the reward service to be started again and ready',
      async () => {
        if (pidsOf(first, 'reward-service').length < 2) return undefined;
        const ready = await fetch(`${urlOf(first, 'reward-service')}/health/ready`).catch(() => undefined);
        return ready?.status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const backMs = Date.now() - killedAt;
    expect(first.process.output()).toContain(
      'reward-service exited (SIGKILL); restarting it in 1 s (restart 1 in a row)',
    );
    expect(first.process.child.exitCode).toBeNull();
    console.log(`reward service back and ready ${(backMs / 1_000).toFixed(1)} s after SIGKILL`);

    // A second stack on the same Kafka port stops at once, naming the port, and the first goes on.
    const second = startSystem({ basePort: await freePorts(4), kafkaPort, databaseUrl: database.url, namespace });
    stacks.push(second);
    const { code } = await second.process.exited;
    expect(code).toBe(1);
    expect(second.process.output()).toContain(`Kafka cannot start: port(s) ${kafkaPort}`);
    expect(second.process.output()).not.toContain('is ready');
    await waitForPacket(dataSource, await placeQualifyingOrder(first, `${namespace}-u2`));

    await first.process.kill('SIGTERM');
    expect(await first.process.exited).toEqual({ code: 0, signal: null });
  });
});

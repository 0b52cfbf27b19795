import { randomBytes } from 'node:crypto';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { runMigrations } from '@redpacket/database';
import { GRANT_STRATEGIES, type GrantStrategyName } from '@redpacket/rewards';
import { SystemUnderTest } from '../../testkit/system/system';
import type { AppProcess } from '../../testkit/support/app-process';
import { createDatabase, databaseUrlFor, dropDatabase } from '../../testkit/support/test-database';
import type { Infrastructure } from '../../testkit/infra/infra.types';
import { pollUntil } from '../../testkit/infra/process-utils';
import { exportInfrastructureEnv, provisionInfrastructure } from '../../testkit/infra/provision';

const STARTED_AT = Date.now();
const STOP_GRACE_MS = 10_000;

/** What the person watching reads: every line stamped with the seconds since the demo began. */
export function say(text: string): void {
  const seconds = ((Date.now() - STARTED_AT) / 1_000).toFixed(1).padStart(6);
  console.log(`${seconds}s  ${text}`);
}

export function elapsedSeconds(): number {
  return Math.round((Date.now() - STARTED_AT) / 1_000);
}

/** DEMO_STRATEGY picks the reward service's grant strategy; only the default is meant to pass. */
export function strategyFromEnv(): GrantStrategyName {
  const strategy = process.env.DEMO_STRATEGY ?? 'inbox-tx';
  if (!(GRANT_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new Error(`DEMO_STRATEGY must be one of ${GRANT_STRATEGIES.join(', ')}, got "${strategy}"`);
  }
  return strategy as GrantStrategyName;
}

/** The group the demo reads the topic back with, to copy its events. */
export function replayerGroup(system: SystemUnderTest): string {
  return `${system.namespace}.demo-replayer`;
}

/**
 * Everything the demo makes, so that it can all be taken down whatever happened: the apps and the
 * reconciler it started, its topics and groups on the shared broker, its database, and whatever
 * provisioning started (nothing, when a stack left up by `npm run infra:up` is reused).
 */
export class DemoSession {
  interrupted = false;
  /** Processes started outside the system's own list of apps (the reconciler CLI). */
  readonly others: AppProcess[] = [];
  private infra?: Infrastructure;
  private database?: string;
  private current?: SystemUnderTest;
  private closing?: Promise<void>;

  get system(): SystemUnderTest {
    if (!this.current) throw new Error('the demo system has not been started');
    return this.current;
  }

  async open(strategy: GrantStrategyName): Promise<void> {
    this.infra = await provisionInfrastructure({ log: (message) => say(`infra: ${message}`) });
    this.database = `redpacket_demo_${Date.now()}_${randomBytes(3).toString('hex')}`;
    say(`Creating and migrating a database of the demo's own, ${this.database}.`);
    await createDatabase(this.infra.databaseUrl, this.database);
    const databaseUrl = databaseUrlFor(this.infra.databaseUrl, this.database);
    await runMigrations(databaseUrl);
    // The harness and every app it spawns read these, as under jest's global setup.
    exportInfrastructureEnv(this.infra, databaseUrl);
    // The apps verify customer tokens with it; the demo signs its customers' tokens with it.
    process.env.AUTH_JWT_SECRET ??= randomBytes(32).toString('hex');
    this.current = new SystemUnderTest(strategy);
    await this.current.start();
  }

  /** Idempotent: the normal end, a failure and Ctrl-C all come through here, possibly at once. */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  /** The last lines of every process, for a run that went wrong. */
  logs(): string {
    const reconcilers = this.others.map((p) => `--- reconciler CLI ---\n${p.output().slice(-1500)}`);
    return [this.current?.logs() ?? '', ...reconcilers].join('\n');
  }

  /** Each part is released even if the one before it failed. */
  private async release(): Promise<void> {
    try {
      if (this.current) await stopSystem(this.current, this.others);
    } finally {
      try {
        await this.releaseDatabase();
      } finally {
        await this.infra?.stop();
      }
    }
  }

  private async releaseDatabase(): Promise<void> {
    if (!this.infra || !this.database) return;
    if (process.env.DEMO_KEEP_DATABASE === '1') {
      say(`Kept database ${this.database} (DEMO_KEEP_DATABASE=1).`);
    } else {
      await dropDatabase(this.infra.databaseUrl, this.database);
      say(`Dropped database ${this.database}.`);
    }
  }
}

async function stopSystem(system: SystemUnderTest, others: AppProcess[]): Promise<void> {
  await Promise.all([...system.apps.map((app) => app.process), ...others].map((p) => stopGracefully(p)));
  await forgetKafkaResources(system);
  await system.stop();
}

/** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
export async function stopGracefully(app: AppProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  let exited = false;
  void app.exited.then(() => (exited = true));
  if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGTERM');
  await pollUntil('the process to exit', async () => (exited ? true : undefined), {
    timeoutMs: graceMs,
    intervalMs: 50,
  }).catch(() => app.kill('SIGKILL'));
}

/** Topics and groups of a finished demo are only clutter on a shared broker; failing to delete them is no failure. */
async function forgetKafkaResources(system: SystemUnderTest): Promise<void> {
  const topics = [system.topic, system.deadLetterTopic, namespaced(system.namespace, TOPICS.redPacketGranted)];
  await system.admin.deleteGroups([system.group, replayerGroup(system)]).catch(() => undefined);
  await system.admin.deleteTopics({ topics }).catch(() => undefined);
}

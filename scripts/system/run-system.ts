import { randomBytes, randomUUID } from 'node:crypto';
import { runMigrations } from '@redpacket/database';
import type { Infrastructure } from '../infra/infra.types';
import { pollUntil } from '../infra/process-utils';
import { developmentKafkaEnv } from '../infra/kafka-users';
import { provisionInfrastructure, REPO_ROOT } from '../infra/provision';
import { busyPorts } from './busy-ports';
import { linePrefix } from './output-lines';
import { SupervisedApp } from './supervised-app';
import type { SystemConfig } from './system.config';
import { ensureDatabase } from './system-database';
import {
  CUSTOMER_TOKEN_AUDIENCE,
  CUSTOMER_TOKEN_ISSUER,
  DEVELOPMENT_CUSTOMER_TOKEN_SECRET,
  signCustomerToken,
} from '@redpacket/platform';
import { appEnvironment, type PlannedApp, planApps, runningSummary, SAMPLE_USER, SYSTEM_APPS } from './system-plan';

const SYSTEM_DATABASE = 'redpacket';
const PREFIX_WIDTH = Math.max(...SYSTEM_APPS.map((name) => name.length));
const READY_PROBE_TIMEOUT_MS = 5_000;
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function say(source: string, message: string): void {
  process.stdout.write(`${linePrefix(source, PREFIX_WIDTH)} ${message}\n`);
}

interface Shutdown {
  requested: boolean;
  signalled: Promise<NodeJS.Signals>;
}

/** Installed first and never removed: a signal at any moment, starting included, leads to the same cleanup. */
function listenForShutdown(): Shutdown {
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const shutdown: Shutdown = { requested: false, signalled: new Promise((r) => (resolve = r)) };
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (shutdown.requested) return say('system', `${signal}: already stopping, please wait`);
      shutdown.requested = true;
      say('system', `${signal}: stopping`);
      resolve(signal);
    });
  }
  return shutdown;
}

/** Runs the whole system until a signal; the exit code: 0 after a signal, 1 when something failed. */
export async function runSystem(config: SystemConfig): Promise<number> {
  const shutdown = listenForShutdown();
  const plan = planApps(config.SYSTEM_BASE_PORT, config.HTTP_HOST);
  const apps: SupervisedApp[] = [];
  let infra: Infrastructure | undefined;
  try {
    const busy = await busyPorts(
      config.HTTP_HOST,
      plan.map((app) => app.port),
    );
    if (busy.length > 0) {
      say('system', `port(s) ${busy.join(', ')} already in use; SYSTEM_BASE_PORT moves all four apps`);
      return 1;
    }
    // Not interruptible halfway: a signal meanwhile is acted on as soon as it returns what it started.
    infra = await provisionInfrastructure({ stateDir: config.SYSTEM_STATE_DIR, log: (m) => say('infra', m) });
    say('infra', describeInfrastructure(infra));
    if (shutdown.requested) return 0;

    const databaseUrl = config.DATABASE_URL ?? (await prepareDatabase(infra.databaseUrl));
    const applied = await runMigrations(databaseUrl);
    say('system', applied.length > 0 ? `migrations applied: ${applied.join(', ')}` : 'schema is up to date');
    if (shutdown.requested) return 0;

    // Every app needs one: the monitor's probes are written by the order service only for the admin.
    const generatedToken = config.ADMIN_TOKEN ? undefined : randomBytes(24).toString('hex');
    const shared = {
      NODE_ENV: config.NODE_ENV,
      LOG_LEVEL: config.LOG_LEVEL,
      HTTP_HOST: config.HTTP_HOST,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      DATABASE_URL: databaseUrl,
      ADMIN_TOKEN: config.ADMIN_TOKEN ?? generatedToken,
      // The order service verifies customer tokens with it, and the summary prints one signed with it.
      AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_CUSTOMER_TOKEN_SECRET,
      ORDER_SERVICE_URL: plan.find((app) => app.name === 'order-service')?.url,
      // A local broker has a user per app; on a broker of the caller's, the apps use what the caller set.
      kafkaUsers: infra.developmentKafkaUsers ? developmentKafkaEnv : undefined,
    };
    for (const app of plan) apps.push(startApp(app, { ...process.env, ...appEnvironment(app, shared) }));

    const notReady = await waitUntilReady(plan, apps, config.SYSTEM_READY_TIMEOUT_MS, shutdown);
    if (shutdown.requested) return 0;
    if (notReady.length > 0) {
      for (const failure of notReady) reportFailure(failure.app, failure.reason);
      return 1;
    }
    // Unprefixed, so the curl lines can be pasted as they are.
    const token = await signCustomerToken(
      { secret: shared.AUTH_JWT_SECRET, issuer: CUSTOMER_TOKEN_ISSUER, audience: CUSTOMER_TOKEN_AUDIENCE },
      SAMPLE_USER,
    );
    process.stdout.write(`\n${runningSummary(plan, `system-${randomUUID()}`, token, generatedToken).join('\n')}\n\n`);

    const exited = await Promise.race([shutdown.signalled.then(() => undefined), firstExit(apps)]);
    if (exited) {
      reportFailure(exited, 'exited on its own');
      return 1;
    }
    return 0;
  } catch (error) {
    say('system', `failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await stopApps(apps, config.SYSTEM_STOP_GRACE_MS);
    if (infra && infra.mode !== 'external') say('infra', 'stopping what this command started');
    await infra?.stop();
    say('system', 'stopped');
  }
}

function describeInfrastructure(infra: Infrastructure): string {
  const where = `kafka ${infra.kafkaBrokers.join(',')}, postgres ${infra.databaseUrl}`;
  return infra.mode === 'external'
    ? `using running infrastructure (${where}); it stays up after this command`
    : `started ${infra.mode === 'local' ? 'local processes' : 'containers'} (${where}); stopped on exit`;
}

async function prepareDatabase(serverUrl: string): Promise<string> {
  const { url, created } = await ensureDatabase(serverUrl, SYSTEM_DATABASE);
  say('system', `database ${SYSTEM_DATABASE} ${created ? 'created' : 'exists'}`);
  return url;
}

function startApp(app: PlannedApp, env: NodeJS.ProcessEnv): SupervisedApp {
  const started = SupervisedApp.start({
    name: app.name,
    args: ['-r', './scripts/register.cjs', app.entryPoint],
    cwd: REPO_ROOT,
    env,
    prefixWidth: PREFIX_WIDTH,
  });
  say('system', `started ${app.name} (pid ${started.pid}) on ${app.url}`);
  return started;
}

type ReadyOutcome = 'ready' | 'exited' | 'abandoned';

/** Polls every app's /health/ready; one that exits or runs out of time ends the wait for all. */
async function waitUntilReady(
  plan: PlannedApp[],
  apps: SupervisedApp[],
  timeoutMs: number,
  shutdown: Shutdown,
): Promise<{ app: SupervisedApp; reason: string }[]> {
  let failed = false;
  const lastAnswer = new Map<string, string>();
  const outcomes = await Promise.all(
    apps.map(async (app, index) => {
      const readyUrl = `${plan[index].url}/health/ready`;
      const outcome = await pollUntil<ReadyOutcome>(
        `${app.name} to answer 200 on ${readyUrl}`,
        async () => {
          if (app.hasExited) return 'exited';
          if (failed || shutdown.requested) return 'abandoned';
          const response = await fetch(readyUrl, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
          lastAnswer.set(app.name, `${response.status} ${await response.text()}`);
          return response.status === 200 ? 'ready' : undefined;
        },
        { timeoutMs, intervalMs: 500 },
      ).catch((error: Error) => error.message);
      if (outcome !== 'ready' && outcome !== 'abandoned') failed = true;
      if (outcome === 'ready') say('system', `${app.name} is ready`);
      return { app, outcome };
    }),
  );
  return outcomes
    .filter(({ outcome }) => outcome !== 'ready' && outcome !== 'abandoned')
    .map(({ app, outcome }) => ({
      app,
      reason:
        outcome === 'exited'
          ? 'exited before it was ready'
          : `${outcome}; its last answer: ${lastAnswer.get(app.name) ?? 'none'}`,
    }));
}

function firstExit(apps: SupervisedApp[]): Promise<SupervisedApp> {
  return Promise.race(apps.map((app) => app.exited.then(() => app)));
}

function reportFailure(app: SupervisedApp, reason: string): void {
  say('system', `${app.name} ${reason}. Its last output:`);
  for (const line of app.lastOutput()) say(app.name, line);
}

async function stopApps(apps: SupervisedApp[], graceMs: number): Promise<void> {
  await Promise.all(
    apps.map(async (app) => {
      const { code, signal } = await app.stop(graceMs);
      say('system', `${app.name} exited (${signal ?? `code ${code}`})`);
    }),
  );
}

import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateEventKeyPair } from '@redpacket/contracts';
import { runMigrations } from '@redpacket/database';
import { grantSystemAccess } from '@redpacket/kafka';
import type { Infrastructure } from '../../testkit/infra/infra.types';
import { pollUntil } from '../../testkit/infra/process-utils';
import { developmentKafkaEnv } from '../../testkit/infra/kafka-users';
import { withAdmin } from '../../testkit/infra/local-kafka';
import { provisionInfrastructure, REPO_ROOT } from '../../testkit/infra/provision';
import { busyPorts } from '../../testkit/infra/busy-ports';
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
/** As compose's `restart: unless-stopped`, with a backoff: 1 s, 2 s, 4 s … 30 s between restarts of one app. */
const RESTART_FIRST_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 30_000;
/** An app that ran this long before it exited starts its backoff again from the first delay. */
const RESTART_STABLE_AFTER_MS = 60_000;

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
    const namespace = process.env.KAFKA_NAMESPACE;
    if (namespace && infra.developmentKafkaUsers) {
      // The broker grants the apps the default namespace's rules; a namespace of their own needs its own.
      await withAdmin(infra.kafkaBrokers, (admin) => grantSystemAccess(admin, namespace));
      say('infra', `granted every app its rules in the Kafka namespace "${namespace}"`);
    }

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
      // The local broker speaks TLS with the development CA; a broker of the caller's, as the caller set.
      ...(infra.kafkaCaFile ? { KAFKA_SSL_CA_FILE: infra.kafkaCaFile } : {}),
      DATABASE_URL: databaseUrl,
      ADMIN_TOKEN: config.ADMIN_TOKEN ?? generatedToken,
      // The order service verifies customer tokens with it, and the summary prints one signed with it.
      AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_CUSTOMER_TOKEN_SECRET,
      ORDER_SERVICE_URL: plan.find((app) => app.name === 'order-service')?.url,
      // A key pair for this run, unless the caller gives the keys: events are signed and verified as in production.
      eventKeys: process.env.EVENT_SIGNING_KEY ? undefined : { ...generateEventKeyPair('run'), keyId: 'run' },
      // A local broker has a user per app; on a broker of the caller's, the apps use what the caller set.
      kafkaUsers: infra.developmentKafkaUsers ? developmentKafkaEnv : undefined,
    };
    const envOf = (app: PlannedApp) => ({ ...process.env, ...appEnvironment(app, shared) });
    for (const app of plan) apps.push(startApp(app, envOf(app)));

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

    await restartWhenExited(plan, apps, envOf, shutdown);
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

/**
 * Until a signal: an app that exits is started again in its place, as compose restarts a container, after
 * a delay that doubles with each restart in a row (1 s … 30 s) and starts over once it ran for a minute.
 */
async function restartWhenExited(
  plan: PlannedApp[],
  apps: SupervisedApp[],
  envOf: (app: PlannedApp) => NodeJS.ProcessEnv,
  shutdown: Shutdown,
): Promise<void> {
  const stopping = new AbortController();
  void shutdown.signalled.then(() => stopping.abort());
  const stopped = shutdown.signalled.then(() => undefined);
  await Promise.all(
    plan.map(async (planned, index) => {
      let inARow = 0;
      for (;;) {
        const startedAt = Date.now();
        const exit = await Promise.race([stopped, apps[index].exited]);
        if (!exit || shutdown.requested) return;
        inARow = Date.now() - startedAt >= RESTART_STABLE_AFTER_MS ? 1 : inARow + 1;
        const delayMs = Math.min(RESTART_MAX_DELAY_MS, RESTART_FIRST_DELAY_MS * 2 ** (inARow - 1));
        const how = exit.signal ?? `code ${exit.code}`;
        reportFailure(
          apps[index],
          `exited (${how}); restarting it in ${delayMs / 1_000} s (restart ${inARow} in a row)`,
        );
        const waited = await sleep(delayMs, true, { signal: stopping.signal }).catch(() => false);
        if (!waited || shutdown.requested) return;
        apps[index] = startApp(planned, envOf(planned));
      }
    }),
  );
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

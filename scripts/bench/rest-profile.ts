import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnProcess } from '../../testkit/support/app-process';
import { appKafkaEnv } from '../../testkit/support/kafka.helpers';
import type { RunningApp, SystemUnderTest } from '../../testkit/system/system';
import { freePort } from '../../testkit/support/free-port';
import { REPO_ROOT } from '../../testkit/infra/provision';
import { type CpuProfileSummary, readCpuProfile, summarizeCpuProfile } from './cpu-profile';
import { placeOrdersUnderLoad } from './order-load';

export interface RestProfile extends CpuProfileSummary {
  /** The commit whose order service was profiled. */
  commit: string;
  requestsPerSecond: number;
  /** Busy CPU per order placed, in µs: what one request costs the order-service process. */
  cpuMicrosPerOrder: number;
}

/**
 * Profiles the order service under the REST load (`node --cpu-prof`, relay off, as the REST
 * measurement runs it). `appRoot` may be another checkout of this repository, to profile an earlier
 * commit against the same database, broker and load.
 */
export async function profileOrderService(
  system: SystemUnderTest,
  load: { connections: number; seconds: number },
  appRoot = REPO_ROOT,
): Promise<RestProfile> {
  const profileDir = mkdtempSync(join(tmpdir(), 'redpacket-cpu-prof-'));
  try {
    const spawnedAt = Date.now();
    const app = await startProfiled(system, appRoot, profileDir);
    const orders = { url: app.url, connections: load.connections, userPrefix: `${system.namespace}-profile` };
    await placeOrdersUnderLoad({ ...orders, seconds: Math.min(3, load.seconds) }); // warm-up, as measured
    const loadStartedMs = Date.now() - spawnedAt;
    const result = await placeOrdersUnderLoad({ ...orders, seconds: load.seconds });
    await app.process.kill('SIGTERM'); // the profile is written as the process exits
    // Boot and warm-up left out: the profile starts as the process does, a few ms after the spawn.
    const summary = summarizeCpuProfile(readCpuProfile(profileDir), loadStartedMs);
    return {
      commit: commitOf(appRoot),
      requestsPerSecond: result.requestsPerSecond,
      cpuMicrosPerOrder: result.created > 0 ? (summary.busyMs * 1_000) / result.created : 0,
      ...summary,
    };
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
  }
}

async function startProfiled(system: SystemUnderTest, appRoot: string, profileDir: string): Promise<RunningApp> {
  const port = await freePort();
  const env = system.env({
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    OUTBOX_RELAY_ENABLED: 'false',
    ...appKafkaEnv('order-service'),
  });
  const profiling = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const main = ['-r', './scripts/register.cjs', 'apps/order-service/src/main.ts'];
  const process_ = spawnProcess(process.execPath, [...profiling, ...main], {
    cwd: appRoot,
    env: { ...process.env, ...env },
  });
  const app: RunningApp = { name: 'order-service', process: process_, url: `http://127.0.0.1:${port}` };
  system.apps.push(app);
  await system.waitReady(app);
  return app;
}

/** The checkout's commit, with `+changes` when its working tree differs from it. */
function commitOf(root: string): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+changes' : '');
}

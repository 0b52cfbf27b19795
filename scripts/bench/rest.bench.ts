import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { REPO_ROOT } from '../../testkit/infra/provision';
import type { SystemUnderTest } from '../../testkit/system/system';
import type { BenchContext } from './bench-context';
import { truncateAll, withSystem } from './bench-context';
import type { BenchOptions } from './bench-options';
import { placeOrdersUnderLoad, type OrderLoadResult } from './order-load';
import { type PgbenchResult, runPgbench } from './pgbench';
import { measureCpu } from './proc-cpu';
import { placeOrderScript } from './pgbench-scripts';
import { profileOrderService, type RestProfile } from './rest-profile';
import { medianOf, ratio, repeat } from './stats';

/** The order service's profile before placing an order became one statement (commit 6b0cc79). */
export const PROFILE_BEFORE = join(REPO_ROOT, 'bench', 'results', 'order-service-profile-before.json');

export interface RestRun {
  service: OrderLoadResult;
  /** What the order-service process used during the load, in percent of one core. */
  serviceCpuPercent: number;
  pgbench: PgbenchResult;
  /** service requests/s ÷ pgbench transactions/s, both measured in this run. */
  throughputRatio: number;
}

export interface RestResult {
  concurrency: number;
  seconds: number;
  relayEnabled: false;
  runs: RestRun[];
  /** One more run of the same load under `node --cpu-prof`: where the order service's CPU goes. */
  profile?: RestProfile;
  /**
   * The same load once more with tracing on (every span exported to a file), against the runs with it off
   * (the default: no provider, so each step's span is the API's no-op and no trace context is stored).
   */
  tracingOn?: { requestsPerSecond: number; p99Ms: number; ratioToOff: number };
  /** The same profile of an earlier commit, kept in bench/results (see profile-order-service.ts). */
  profileBefore?: RestProfile & { measuredAt: string };
  median: {
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    pgbenchTps: number;
    pgbenchP50Ms: number;
    pgbenchP99Ms: number;
    throughputRatio: number;
    failed: number;
    serviceCpuPercent: number;
  };
}

/**
 * POST /orders against one order-service process (relay disabled, so only the HTTP path and its
 * transaction compete for the CPU), then pgbench running the same transaction at the same concurrency.
 */
export async function benchRest(context: BenchContext, options: BenchOptions): Promise<RestResult> {
  const concurrency = options.restConcurrency;
  const seconds = options.restSeconds;
  const { runs, profile, traced } = await withSystem(context, 'inbox-tx', async (system) => {
    const app = await system.startApp('order-service', { OUTBOX_RELAY_ENABLED: 'false' });
    const load = { url: app.url, connections: concurrency, userPrefix: `${system.namespace}-rest` };
    await placeOrdersUnderLoad({ ...load, seconds: Math.min(3, seconds) }); // warm-up: JIT, pool, plans
    const script = placeOrderScript(namespaced(system.namespace, TOPICS.orderPurchased));
    const runs = await repeat(options.runs, 'REST POST /orders', async (): Promise<RestRun> => {
      await truncateAll(context.dataSource);
      const { value: service, percentOfCore } = await measureCpu(app.process.child.pid ?? 0, () =>
        placeOrdersUnderLoad({ ...load, seconds }),
      );
      await truncateAll(context.dataSource);
      const pgbench = await runPgbench({ databaseUrl: context.databaseUrl, script, clients: concurrency, seconds });
      return {
        service,
        serviceCpuPercent: percentOfCore,
        pgbench,
        throughputRatio: ratio(service.requestsPerSecond, pgbench.tps),
      };
    });
    await app.process.kill('SIGTERM');
    await truncateAll(context.dataSource);
    const profile = await profileOrderService(system, { connections: concurrency, seconds });
    await truncateAll(context.dataSource);
    const traced = await withTracingOn(system, { connections: concurrency, seconds });
    return { runs, profile, traced };
  });
  return {
    concurrency,
    seconds,
    relayEnabled: false,
    runs,
    profile,
    tracingOn: {
      ...traced,
      ratioToOff: ratio(
        traced.requestsPerSecond,
        medianOf(runs, (r) => r.service.requestsPerSecond),
      ),
    },
    profileBefore: existsSync(PROFILE_BEFORE)
      ? (JSON.parse(readFileSync(PROFILE_BEFORE, 'utf8')) as RestResult['profileBefore'])
      : undefined,
    median: {
      requestsPerSecond: medianOf(runs, (r) => r.service.requestsPerSecond),
      p50Ms: medianOf(runs, (r) => r.service.p50Ms),
      p99Ms: medianOf(runs, (r) => r.service.p99Ms),
      pgbenchTps: medianOf(runs, (r) => r.pgbench.tps),
      pgbenchP50Ms: medianOf(runs, (r) => r.pgbench.p50Ms),
      pgbenchP99Ms: medianOf(runs, (r) => r.pgbench.p99Ms),
      throughputRatio: medianOf(runs, (r) => r.throughputRatio),
      failed: medianOf(runs, (r) => r.service.failed),
      serviceCpuPercent: medianOf(runs, (r) => r.serviceCpuPercent),
    },
  };
}

/** One run of the REST load against an order service that exports every span to a file. */
async function withTracingOn(
  system: SystemUnderTest,
  load: { connections: number; seconds: number },
): Promise<{ requestsPerSecond: number; p99Ms: number }> {
  const directory = mkdtempSync(join(tmpdir(), 'redpacket-bench-spans-'));
  try {
    const app = await system.startApp('order-service', {
      OUTBOX_RELAY_ENABLED: 'false',
      TRACING_EXPORTER: 'file',
      TRACING_FILE: join(directory, 'spans.jsonl'),
    });
    const orders = { url: app.url, connections: load.connections, userPrefix: `${system.namespace}-traced` };
    await placeOrdersUnderLoad({ ...orders, seconds: Math.min(3, load.seconds) }); // warm-up, as measured
    const result = await placeOrdersUnderLoad({ ...orders, seconds: load.seconds });
    await app.process.kill('SIGTERM');
    return { requestsPerSecond: result.requestsPerSecond, p99Ms: result.p99Ms };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

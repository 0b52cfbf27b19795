import { type AppName, type AppProcess, spawnTypeScript } from '../../testkit/support/app-process';
import { type BenchContext, withSystem } from './bench-context';
import type { BenchOptions } from './bench-options';
import { clockTicksPerSecond, cpuTicks } from './proc-cpu';
import { median, ratio, repeat, sleep } from './stats';

const APPS: AppName[] = ['order-service', 'reward-service', 'reconciler', 'monitor'];
export const IDLE_BASELINE = 'bare kafkajs consumer';
/** The reward service's consumer fetch wait (libs/rewards order-purchased.consumer.ts), so the baseline polls as often. */
const BASELINE_FETCH_WAIT_MS = 500;
/** The e2e harness turns the reconciler's schedule off; idle here means the default configuration. */
const DEFAULT_SCHEDULE = { RECONCILER_SCHEDULE_ENABLED: 'true' };

export interface IdleCpuRow {
  name: string;
  /** Percent of one core, median over the runs. */
  percentOfCore: number;
  ratioToBaseline: number;
}

export interface IdleCpuResult {
  seconds: number;
  baselineFetchWaitMs: number;
  settleSeconds: number;
  runs: Record<string, number>[];
  median: IdleCpuRow[];
}

/** Starts every app (default configuration, relays on, no traffic), lets it settle, then samples its CPU. */
export async function benchIdleCpu(context: BenchContext, options: BenchOptions): Promise<IdleCpuResult> {
  const settleSeconds = options.quick ? 2 : 5;
  const ticksPerSecond = await clockTicksPerSecond();
  const runs = await withSystem(context, 'inbox-tx', async (system) => {
    const processes = new Map<string, AppProcess>();
    for (const app of APPS) processes.set(app, (await system.startApp(app, DEFAULT_SCHEDULE)).process);
    const baseline = spawnTypeScript(
      [
        'scripts/bench/idle-consumer.ts',
        process.env.KAFKA_BROKERS ?? '',
        system.topic,
        `${system.group}-idle`,
        String(BASELINE_FETCH_WAIT_MS),
      ],
      {},
    );
    try {
      processes.set(IDLE_BASELINE, baseline);
      await system.waitForRewardMembers(1);
      await sleep(settleSeconds * 1_000); // idle means after boot, group join and first polls are over
      return await repeat(options.runs, 'idle CPU', () => sampleAll(processes, options.idleSeconds, ticksPerSecond));
    } finally {
      await baseline.kill('SIGKILL');
    }
  });
  const percent = (name: string) => median(runs.map((run) => run[name]));
  return {
    seconds: options.idleSeconds,
    baselineFetchWaitMs: BASELINE_FETCH_WAIT_MS,
    settleSeconds,
    runs,
    median: [...APPS, IDLE_BASELINE].map((name) => ({
      name,
      percentOfCore: percent(name),
      ratioToBaseline: ratio(percent(name), percent(IDLE_BASELINE)),
    })),
  };
}

/** Percent of one core each process used over the same window (utime + stime from /proc). */
async function sampleAll(processes: Map<string, AppProcess>, seconds: number, ticksPerSecond: number) {
  const before = new Map([...processes].map(([name, app]) => [name, ticksOf(name, app)]));
  const started = performance.now();
  await sleep(seconds * 1_000);
  const elapsedSeconds = (performance.now() - started) / 1_000;
  const usage: Record<string, number> = {};
  for (const [name, app] of processes) {
    usage[name] = ((ticksOf(name, app) - (before.get(name) ?? 0)) / ticksPerSecond / elapsedSeconds) * 100;
  }
  return usage;
}

function ticksOf(name: string, app: AppProcess): number {
  if (app.child.exitCode !== null || app.child.signalCode !== null || app.child.pid === undefined)
    throw new Error(
      `${name} exited (${app.child.exitCode ?? app.child.signalCode}) while its idle CPU was sampled:\n${app.output().slice(-2000)}`,
    );
  return cpuTicks(app.child.pid);
}

import type { BenchResults } from './bench-results';
import { type E2eLoads, heldTarget, type LoadRun } from './end-to-end.bench';
import { evaluateGoals, type GoalRow } from './report-goals';
import { defaultVariant, REWARD_VARIANTS, type RewardVariantRun } from './reward.bench';

const DEFAULT_LABEL = defaultVariant(REWARD_VARIANTS)?.label ?? '';

function pgbench(clients: number, tps: number, p99Ms = 5) {
  return { clients, seconds: 10, transactions: tps * 10, tps, p50Ms: 2, p99Ms };
}

/** One run of every measurement with the goals' figures chosen by the caller. */
function results(figures: {
  restRatio: number;
  restP99Ms: number;
  relayRatio: number;
  defaultGrants: number;
  e2eLoads: LoadRun[];
}): BenchResults {
  const variant = (grantsPerSecond: number): RewardVariantRun => ({
    grantsPerSecond,
    inFlight: 3,
    pgbenchTps: 3_000,
    ratioToPgbench: grantsPerSecond / 3_000,
    ratioToNaive: grantsPerSecond / 8_000,
  });
  const rewardRun = {
    naiveUpdatesPerSecond: 8_000,
    pgbench: [pgbench(3, 3_000), pgbench(12, 4_000)],
    variants: Object.fromEntries(
      REWARD_VARIANTS.map((v) => [v.label, variant(v.label === DEFAULT_LABEL ? figures.defaultGrants : 1_000)]),
    ),
  };
  const service = {
    requestsPerSecond: 4_000 * figures.restRatio,
    p50Ms: 3,
    p99Ms: figures.restP99Ms,
    created: 1,
    failed: 0,
  };
  const held = figures.e2eLoads.filter(heldTarget).map((l) => l.offeredPerSecond);
  const e2e: E2eLoads = {
    runs: [figures.e2eLoads],
    median: figures.e2eLoads,
    highestLoadUnderTarget: held.length > 0 ? Math.max(...held) : null,
  };
  return {
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:16:00.000Z',
    durationSeconds: 960,
    command: 'npm run bench',
    options: {
      quick: false,
      ownPostgres: false,
      runs: 1,
      only: ['rest', 'relay', 'reward', 'e2e'],
      restConcurrency: 10,
      restSeconds: 15,
      relayEvents: 20_000,
      relayBatchSize: 200,
      rewardEvents: 4_000,
      pgbenchSeconds: 10,
      e2eLoads: figures.e2eLoads.map((l) => l.offeredPerSecond),
      e2eSeconds: 20,
      idleSeconds: 10,
      reconcileHistory: [],
    },
    machine: { cores: 2, cpuModel: 'test', memoryGiB: 1, platform: 'linux x64' },
    versions: { node: 'v24', kafka: '3.9', kafkajs: '2.2.4', postgres: '17' },
    rest: {
      concurrency: 10,
      seconds: 15,
      relayEnabled: false,
      runs: [{ service, serviceCpuPercent: 50, pgbench: pgbench(10, 4_000, 10), throughputRatio: figures.restRatio }],
      median: {
        requestsPerSecond: service.requestsPerSecond,
        p50Ms: service.p50Ms,
        p99Ms: service.p99Ms,
        failed: 0,
        pgbenchTps: 4_000,
        pgbenchP50Ms: 2,
        pgbenchP99Ms: 10,
        throughputRatio: figures.restRatio,
        serviceCpuPercent: 50,
      },
    },
    relay: {
      events: 20_000,
      batchSize: 200,
      runs: [],
      median: { relayEventsPerSecond: 1, producerEventsPerSecond: 1, ratio: figures.relayRatio },
    },
    reward: {
      events: 4_000,
      partitions: 6,
      partitionsConcurrently: 3,
      runs: [rewardRun],
      median: {
        naiveUpdatesPerSecond: 8_000,
        variants: REWARD_VARIANTS.map((v) => ({ ...v, ...rewardRun.variants[v.label] })),
      },
    },
    e2e: { seconds: 20, ...e2e, batched: e2e },
    failures: [],
  };
}

function load(offeredPerSecond: number, p99Ms: number, packetsMissing = 0): LoadRun {
  const orders = offeredPerSecond * 20;
  return {
    offeredPerSecond,
    achievedPerSecond: offeredPerSecond,
    failed: 0,
    behindScheduleMs: 0,
    orders,
    packets: orders - packetsMissing,
    p50Ms: p99Ms / 3,
    p95Ms: p99Ms / 2,
    p99Ms,
    toRelayP50Ms: 1,
    toRelayP99Ms: 1,
    relayToGrantP50Ms: 1,
    relayToGrantP99Ms: 1,
  };
}

const outcomes = (rows: GoalRow[]) => rows.map((row) => row.outcome);

describe('evaluateGoals', () => {
  it('judges every goal of the issue on this run alone', () => {
    const rows = evaluateGoals(
      results({
        restRatio: 0.7, // ≥ 0.6: reached
        restP99Ms: 20, // 2× pgbench's 10 ms: not reached
        relayRatio: 0.4, // not reached
        defaultGrants: 6_800, // 0.85× the naive 8,000/s; 1.7× the best pgbench 4,000 tps
        e2eLoads: [load(500, 45), load(800, 90), load(1_000, 400)],
      }),
    );
    expect(rows.map((row) => row.goal)).toEqual([
      '≥ 0.6× throughput',
      'p99 ≤ 1.5×',
      '≥ 0.5×',
      '≥ 0.8×',
      'keep ≥ 1.5×',
      '≤ 50 ms',
      '≥ 800/s',
    ]);
    expect(outcomes(rows)).toEqual([
      'reached',
      'not reached',
      'not reached',
      'reached',
      'reached',
      'reached',
      'reached',
    ]);
    expect(rows[4].thisRun).toMatch(/^1\.70×/);
  });

  it('does not count a load whose packets were still missing at the deadline', () => {
    const rows = evaluateGoals(
      results({
        restRatio: 1,
        restP99Ms: 10,
        relayRatio: 1,
        defaultGrants: 8_000,
        e2eLoads: [load(500, 30, 12), load(800, 200)],
      }),
    );
    expect(rows[5]).toMatchObject({ outcome: 'not reached', thisRun: expect.stringContaining('12 packets missing') });
    expect(rows[6].outcome).toBe('not reached');
  });

  it('leaves the end-to-end goals unjudged when their loads were not offered', () => {
    const rows = evaluateGoals(
      results({
        restRatio: 1,
        restP99Ms: 10,
        relayRatio: 1,
        defaultGrants: 8_000,
        e2eLoads: [load(25, 5), load(50, 6)],
      }),
    );
    expect(outcomes(rows).slice(5)).toEqual(['not measured', 'not measured']);
  });

  it('says so for every goal whose measurement did not run', () => {
    const { rest, relay, reward, e2e, ...nothing } = results({
      restRatio: 1,
      restP99Ms: 10,
      relayRatio: 1,
      defaultGrants: 1,
      e2eLoads: [load(50, 5)],
    });
    expect(rest && relay && reward && e2e).toBeTruthy();
    expect(new Set(outcomes(evaluateGoals(nothing)))).toEqual(new Set(['not measured']));
  });
});

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
  platformaticRelayRatio?: number;
  /** Debezium's events/s on the same backlog, or why it did not run; absent: not in the results. */
  debezium?: number | string;
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
      median: {
        relayEventsPerSecond: 1_000 * figures.relayRatio,
        producerEventsPerSecond: 1_000,
        ratio: figures.relayRatio,
        ...(figures.platformaticRelayRatio === undefined
          ? {}
          : {
              platformaticEventsPerSecond: 1_000 * figures.platformaticRelayRatio,
              platformaticRatio: figures.platformaticRelayRatio,
            }),
      },
      ...(figures.debezium === undefined ? {} : { debezium: debeziumOutcome(figures.debezium) }),
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

function load(offeredPerSecond: number, p99Ms: number, packetsMissing = 0, cpuMs?: number): LoadRun {
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
    ...(cpuMs === undefined
      ? {}
      : {
          cpuPerOrder: [
            { part: 'postgres', msPerOrder: cpuMs / 2, shareOfMachine: 0.4 },
            { part: 'reward-service', msPerOrder: cpuMs / 2, shareOfMachine: 0.3 },
          ],
        }),
  };
}

function debeziumOutcome(figure: number | string): NonNullable<NonNullable<BenchResults['relay']>['debezium']> {
  if (typeof figure === 'string') return { skipped: figure };
  const steady = { ratePerSecond: 200, events: 2_000, p50Ms: 10, p99Ms: 30 };
  return {
    debezium: '3.6.1.Final',
    connect: '3.9.1',
    tuning: {},
    events: 20_000,
    eventsPerSecond: figure,
    steady,
    relaySteady: steady,
    relayClient: 'kafkajs',
  };
}

const outcomes = (rows: GoalRow[]) => rows.map((row) => row.outcome);

describe('evaluateGoals', () => {
  it('judges every goal of the issue on this run alone', () => {
    const rows = evaluateGoals(
      results({
        restRatio: 0.75, // REST 3,000 req/s ÷ pgbench 4,000 tps: reached
        restP99Ms: 20,
        relayRatio: 0.4, // kafkajs below the goal...
        platformaticRelayRatio: 0.55, // ...@platformatic/kafka above it: the better client counts
        defaultGrants: 7_200, // 0.9× the naive 8,000/s: not reached
        e2eLoads: [load(50, 15), load(200, 30, 0, 4), load(500, 40), load(1_000, 400)],
      }),
    );
    expect(rows.map((row) => row.goal)).toEqual([
      '≤ 4.5 ms',
      '≥ 0.4×',
      '≤ 3×',
      '≥ 0.5×',
      '≥ 1.0×',
      '≥ 1.0×',
      'keep ≥ 0.7×',
    ]);
    expect(outcomes(rows)).toEqual([
      'reached', // 4 ms of CPU per order at 200/s
      'not reached', // 500/s held ÷ 3,000 req/s = 0.17×
      'reached', // 40 ms ÷ 15 ms = 2.67×
      'reached',
      'not measured', // Debezium
      'not reached',
      'reached',
    ]);
    expect(rows[0].thisRun).toBe('4.00 ms (postgres 2.00 ms, reward-service 2.00 ms)');
    expect(rows[1].thisRun).toBe('0.17× (500/s vs 3,000 req/s)');
    expect(rows[3].thisRun).toBe('0.55× on @platformatic/kafka (550 vs 1,000 events/s)');
  });

  it('does not count a load whose packets were still missing at the deadline', () => {
    const rows = evaluateGoals(
      results({
        restRatio: 0.75,
        restP99Ms: 20,
        relayRatio: 0.6,
        defaultGrants: 9_000,
        e2eLoads: [load(50, 15), load(200, 30, 0, 9.1), load(500, 40, 12)],
      }),
    );
    expect(rows[0]).toMatchObject({ outcome: 'not reached', thisRun: expect.stringMatching(/^9\.10 ms/) });
    expect(rows[1].thisRun).toBe('0.07× (200/s vs 3,000 req/s)');
    expect(rows[2]).toMatchObject({ outcome: 'not reached', thisRun: expect.stringContaining('12 packets missing') });
  });

  it('leaves a held-load ratio under the goal unjudged when every offered load held: more might have', () => {
    const rows = evaluateGoals(
      results({ restRatio: 0.75, restP99Ms: 20, relayRatio: 0.6, defaultGrants: 9_000, e2eLoads: [load(50, 15)] }),
    );
    expect(rows[1]).toMatchObject({ outcome: 'not measured', thisRun: expect.stringContaining('every load held') });
    expect(outcomes(rows).slice(0, 3)).toEqual(['not measured', 'not measured', 'not measured']);
  });

  it('says so for every goal whose measurement did not run', () => {
    const full = results({ restRatio: 1, restP99Ms: 1, relayRatio: 1, defaultGrants: 1, e2eLoads: [load(50, 1)] });
    const nothing: BenchResults = { ...full, rest: undefined, relay: undefined, reward: undefined, e2e: undefined };
    expect(new Set(outcomes(evaluateGoals(nothing)))).toEqual(new Set(['not measured']));
  });

  it("judges the relay's faster client against Debezium's outbox event router, or says why Debezium did not run", () => {
    const figures = { restRatio: 1, restP99Ms: 1, defaultGrants: 1, e2eLoads: [load(50, 1)] };
    const faster = evaluateGoals(results({ ...figures, relayRatio: 0.3, platformaticRelayRatio: 0.4, debezium: 320 }));
    const slower = evaluateGoals(results({ ...figures, relayRatio: 0.3, debezium: 400 }));
    const skipped = evaluateGoals(results({ ...figures, relayRatio: 0.3, debezium: 'no wal_level=logical' }));

    expect(faster[4]).toMatchObject({
      outcome: 'reached',
      thisRun: '1.25× on @platformatic/kafka (400 vs 320 events/s)',
    });
    expect(slower[4]).toMatchObject({ outcome: 'not reached', thisRun: '0.75× on kafkajs (300 vs 400 events/s)' });
    expect(skipped[4]).toMatchObject({
      outcome: 'not measured',
      thisRun: 'Debezium did not run: no wal_level=logical',
    });
  });
});

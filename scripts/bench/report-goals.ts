import type { BenchResults } from './bench-results';
import { type E2eLoads, heldTarget, E2E_P99_TARGET_MS } from './end-to-end.bench';
import { ms, num, table, times } from './report-format';
import { bestPgbenchTps, ratioToBestPgbench } from './report-sections';
import type { RestResult } from './rest.bench';
import { defaultVariant, type RewardResult } from './reward.bench';
import { median } from './stats';

export type GoalOutcome = 'reached' | 'not reached' | 'not measured';

export interface GoalRow {
  figure: string;
  goal: string;
  thisRun: string;
  outcome: GoalOutcome;
}

/** The goals of "make the safe path the fast path": the same-run ratio or figure each is judged on. */
export const GOALS = {
  restThroughputRatio: 0.6,
  restP99Ratio: 1.5,
  relayRatio: 0.5,
  defaultGrantsToNaive: 0.8,
  batchedToPgbenchCeiling: 1.5,
  e2eP99: { perSecond: 500, maxMs: 50 },
  e2eHighestLoadPerSecond: 800,
} as const;

/** Every goal, judged from this run's results alone; a goal whose measurement did not run says so. */
export function evaluateGoals(results: BenchResults): GoalRow[] {
  return [...restGoals(results), relayGoal(results), ...rewardGoals(results.reward), ...e2eGoals(results.e2e?.batched)];
}

export function goalsSection(results: BenchResults): string {
  const rows = evaluateGoals(results);
  const count = (outcome: GoalOutcome) => rows.filter((row) => row.outcome === outcome).length;
  const unmeasured = count('not measured');
  return [
    table(
      ['figure', 'goal', 'this run', 'reached?'],
      rows.map((row) => [
        row.figure,
        row.goal,
        row.thisRun,
        row.outcome === 'not reached' ? '**not reached**' : row.outcome,
      ]),
    ),
    '',
    `${count('reached')} of ${rows.length} goals reached, ${count('not reached')} not reached` +
      (unmeasured > 0 ? `, ${unmeasured} not measured in this run.` : '.') +
      ` Ratios are the median of the per-run ratios; the end-to-end figures are for batched grants, the default (REWARD_BATCH_GRANTS defaults to true under inbox-tx), and a load counts as held only if the generator kept its rate, every order got its packet and p99 stayed under ${E2E_P99_TARGET_MS} ms.`,
  ].join('\n');
}

function judged(atLeast: boolean, value: number, goal: number): GoalOutcome {
  if (!Number.isFinite(value)) return 'not measured';
  return (atLeast ? value >= goal : value <= goal) ? 'reached' : 'not reached';
}

const notInThisRun = (figure: string, goal: string): GoalRow => ({
  figure,
  goal,
  thisRun: 'not in this run',
  outcome: 'not measured',
});

function restGoals({ rest, options }: BenchResults): GoalRow[] {
  const figure = `POST /orders, ${options.restConcurrency} connections, vs pgbench running the same transaction`;
  const throughputGoal = `≥ ${GOALS.restThroughputRatio}× throughput`;
  const p99Goal = `p99 ≤ ${GOALS.restP99Ratio}×`;
  if (!rest) return [notInThisRun(`${figure}: throughput`, throughputGoal), notInThisRun(`${figure}: p99`, p99Goal)];
  const throughput = rest.median.throughputRatio;
  const p99 = restP99Ratio(rest);
  return [
    {
      figure: `${figure}: throughput`,
      goal: throughputGoal,
      thisRun: `${times(throughput)} (${num(rest.median.requestsPerSecond)} req/s vs ${num(rest.median.pgbenchTps)} tps)`,
      outcome: judged(true, throughput, GOALS.restThroughputRatio),
    },
    {
      figure: `${figure}: p99`,
      goal: p99Goal,
      thisRun: `${times(p99)} (${ms(rest.median.p99Ms)} vs ${ms(rest.median.pgbenchP99Ms)})`,
      outcome: judged(false, p99, GOALS.restP99Ratio),
    },
  ];
}

/** The service's p99 ÷ pgbench's, both from the same run; median over the runs. */
export function restP99Ratio(rest: RestResult): number {
  return median(rest.runs.map((run) => run.service.p99Ms / run.pgbench.p99Ms));
}

function relayGoal({ relay, options }: BenchResults): GoalRow {
  const figure = `outbox relay, ${num(options.relayEvents)} backlog, vs a bare idempotent producer`;
  const goal = `≥ ${GOALS.relayRatio}×`;
  if (!relay) return notInThisRun(figure, goal);
  return {
    figure,
    goal,
    thisRun: `${times(relay.median.ratio)} (${num(relay.median.relayEventsPerSecond)} vs ${num(relay.median.producerEventsPerSecond)} events/s)`,
    outcome: judged(true, relay.median.ratio, GOALS.relayRatio),
  };
}

function rewardGoals(reward: RewardResult | undefined): GoalRow[] {
  const toNaive = 'default grants vs a naive auto-commit consumer';
  const toCeiling = 'batched grants (the default) vs the one-transaction-per-message pgbench ceiling';
  const toNaiveGoal = `≥ ${GOALS.defaultGrantsToNaive}×`;
  const toCeilingGoal = `keep ≥ ${GOALS.batchedToPgbenchCeiling}×`;
  const standard = reward && defaultVariant(reward.median.variants);
  if (!reward || !standard) return [notInThisRun(toNaive, toNaiveGoal), notInThisRun(toCeiling, toCeilingGoal)];
  const toCeilingRatio = ratioToBestPgbench(reward, standard);
  return [
    {
      figure: `${toNaive} (the default: ${standard.label.replace(/ \(default\)$/, '')})`,
      goal: toNaiveGoal,
      thisRun: `${times(standard.ratioToNaive)} (${num(standard.grantsPerSecond)} grants/s vs ${num(reward.median.naiveUpdatesPerSecond)}/s)`,
      outcome: judged(true, standard.ratioToNaive, GOALS.defaultGrantsToNaive),
    },
    {
      figure: `${toCeiling} (the best of its client counts)`,
      goal: toCeilingGoal,
      thisRun: `${times(toCeilingRatio)} (${num(standard.grantsPerSecond)} grants/s vs ${num(bestPgbenchTps(reward))} tps)`,
      outcome: judged(true, toCeilingRatio, GOALS.batchedToPgbenchCeiling),
    },
  ];
}

function e2eGoals(batched: E2eLoads | undefined): GoalRow[] {
  const { perSecond, maxMs } = GOALS.e2eP99;
  const p99Figure = `end to end, p99 at ${num(perSecond)} orders/s (batched grants, the default)`;
  const p99Goal = `≤ ${maxMs} ms`;
  const highestFigure = `end to end, highest steady load with p99 < ${E2E_P99_TARGET_MS} ms (batched grants, the default)`;
  const highestGoal = `≥ ${num(GOALS.e2eHighestLoadPerSecond)}/s`;
  if (!batched) return [notInThisRun(p99Figure, p99Goal), notInThisRun(highestFigure, highestGoal)];
  return [p99AtLoad(batched, p99Figure, p99Goal), highestLoad(batched, highestFigure, highestGoal)];
}

function p99AtLoad(batched: E2eLoads, figure: string, goal: string): GoalRow {
  const { perSecond, maxMs } = GOALS.e2eP99;
  const load = batched.median.find((l) => l.offeredPerSecond === perSecond);
  if (!load) return { figure, goal, thisRun: `${num(perSecond)}/s was not among the loads`, outcome: 'not measured' };
  const missing = load.orders - load.packets;
  return {
    figure,
    goal,
    thisRun:
      `${ms(load.p99Ms)} (${times(load.p99Ms / maxMs)} the goal)` +
      (missing > 0 ? `, ${num(missing)} packets missing at the deadline` : ''),
    outcome: missing > 0 ? 'not reached' : judged(false, load.p99Ms, maxMs),
  };
}

function highestLoad(batched: E2eLoads, figure: string, goal: string): GoalRow {
  const best = batched.highestLoadUnderTarget;
  const offered = Math.max(...batched.median.map((l) => l.offeredPerSecond));
  const goalPerSecond = GOALS.e2eHighestLoadPerSecond;
  const held = best === null ? 'none of the loads' : `${num(best)}/s (${times(best / goalPerSecond)} the goal)`;
  // Only a load at or past the goal can show it reached; without one, a lower figure says nothing about it.
  if (offered < goalPerSecond)
    return {
      figure,
      goal,
      thisRun: `${held}; the highest load offered was ${num(offered)}/s`,
      outcome: 'not measured',
    };
  const failedAt = batched.median.filter((l) => !heldTarget(l)).map((l) => num(l.offeredPerSecond));
  return {
    figure,
    goal,
    thisRun: held + (failedAt.length > 0 ? `; not held at ${failedAt.join(', ')}/s` : ''),
    outcome: best !== null && best >= goalPerSecond ? 'reached' : 'not reached',
  };
}

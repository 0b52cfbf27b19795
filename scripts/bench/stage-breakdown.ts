import { median, percentileOfSorted } from './stats';

/**
 * One order's way from the client to its grant. Every instant is epoch milliseconds on the one
 * machine clock that the load generator, Postgres and kafkajs all read.
 */
export interface OrderTimeline {
  /** The load generator sent POST /orders. */
  sentAtMs: number;
  /** The load generator had the 201 and its body. */
  answeredAtMs: number;
  /** ordering.orders.created_at: now(), the start of the order's transaction. */
  orderStartedAtMs: number;
  /** The Kafka record's CreateTime: kafkajs stamps it as it encodes the relay's produce request (whole ms). */
  sendStartedAtMs: number;
  /** ordering.outbox.published_at: clock_timestamp() in the relay's UPDATE once Kafka acknowledged the send. */
  ackedAtMs: number;
  /** rewards.red_packets.granted_at: now(), the start of the grant transaction. */
  grantStartedAtMs: number;
}

export const STAGE_NAMES = ['request', 'orderCommit', 'relayWake', 'sendToAck', 'ackToGrant', 'grantCommit'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface StageFigures {
  stage: StageName;
  /** NaN where only the mean is known (the grant's own transaction). */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Where one load's delay went, stage by stage; stage means add up to the mean of the whole path. */
export interface StageBreakdown {
  /** Orders with every instant known (a 201, a Kafka record, an ack, a packet). */
  orders: number;
  stages: StageFigures[];
  /** Client sent → grant transaction started, per order. */
  toGrantStartP50Ms: number;
  toGrantStartP99Ms: number;
}

/** The per-order stages, each a difference of two instants, so that they add up to the whole. */
const PER_ORDER: Record<Exclude<StageName, 'grantCommit'>, (t: OrderTimeline) => number> = {
  request: (t) => t.orderStartedAtMs - t.sentAtMs,
  orderCommit: (t) => committedBy(t) - t.orderStartedAtMs,
  relayWake: (t) => t.sendStartedAtMs - committedBy(t),
  sendToAck: (t) => t.ackedAtMs - t.sendStartedAtMs,
  ackToGrant: (t) => t.grantStartedAtMs - t.ackedAtMs,
};

/**
 * No instant marks the order's commit; the 201 and the relay's send both come after it, so the
 * earlier of the two bounds it from above.
 */
function committedBy(t: OrderTimeline): number {
  return Math.min(t.answeredAtMs, t.sendStartedAtMs);
}

/**
 * Percentiles and means of every stage. The grant's own transaction (its start to its commit) has
 * no per-order instant; its mean comes from the reward service's histogram (see grantCommitMeanMs).
 */
export function breakDown(timelines: OrderTimeline[], grantCommitMeanMs: number): StageBreakdown {
  const stages: StageFigures[] = Object.entries(PER_ORDER).map(([stage, of]) => ({
    stage: stage as StageName,
    ...summarize(timelines.map(of)),
  }));
  stages.push({ stage: 'grantCommit', p50Ms: Number.NaN, p99Ms: Number.NaN, meanMs: grantCommitMeanMs });
  const whole = summarize(timelines.map((t) => t.grantStartedAtMs - t.sentAtMs));
  return { orders: timelines.length, stages, toGrantStartP50Ms: whole.p50Ms, toGrantStartP99Ms: whole.p99Ms };
}

function summarize(values: number[]): Omit<StageFigures, 'stage'> {
  const sorted = [...values].sort((a, b) => a - b);
  const meanMs = sorted.length > 0 ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length : Number.NaN;
  return { p50Ms: percentileOfSorted(sorted, 50), p99Ms: percentileOfSorted(sorted, 99), meanMs };
}

/** A histogram's running sum and count: the difference of two readings covers what happened between them. */
export interface HistogramTotals {
  sumSeconds: number;
  count: number;
}

/**
 * The mean of grant transaction start → commit over one load's grants. The reward service observes
 * `Date.now() − occurredAt` right after each grant commits; occurredAt is the order's created_at cut
 * to the millisecond. Means subtract where percentiles do not: the histogram's mean minus the mean of
 * `granted_at − occurredAt` over the same grants leaves the grant's own time. Date.now() counts whole
 * milliseconds, on average half a millisecond short. NaN when the histogram did not count exactly
 * those grants.
 */
export function grantCommitMeanMs(histogram: HistogramTotals, grantStartedAfterOccurredMs: number[]): number {
  const grants = grantStartedAfterOccurredMs.length;
  if (grants === 0 || histogram.count !== grants) return Number.NaN;
  const observedMeanMs = (histogram.sumSeconds * 1_000) / histogram.count + 0.5;
  return observedMeanMs - grantStartedAfterOccurredMs.reduce((sum, value) => sum + value, 0) / grants;
}

/** Stage by stage, the median over the runs of each figure. */
export function medianBreakdown(breakdowns: StageBreakdown[]): StageBreakdown {
  const pick = (of: (b: StageBreakdown) => number) => median(breakdowns.map(of));
  const figure = (b: StageBreakdown, stage: StageName) => b.stages.find((s) => s.stage === stage);
  return {
    orders: pick((b) => b.orders),
    stages: STAGE_NAMES.map((stage) => ({
      stage,
      p50Ms: pick((b) => figure(b, stage)?.p50Ms ?? Number.NaN),
      p99Ms: pick((b) => figure(b, stage)?.p99Ms ?? Number.NaN),
      meanMs: pick((b) => figure(b, stage)?.meanMs ?? Number.NaN),
    })),
    toGrantStartP50Ms: pick((b) => b.toGrantStartP50Ms),
    toGrantStartP99Ms: pick((b) => b.toGrantStartP99Ms),
  };
}

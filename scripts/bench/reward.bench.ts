import type { KafkaClientName } from '@redpacket/config';
import { namespaced, TOPICS } from '@redpacket/contracts';
import type { GrantStrategyName } from '@redpacket/rewards';
import { grantsInBatches, RewardServiceConfig } from '../../apps/reward-service/src/reward-service.config';
import type { SystemUnderTest } from '../../testkit/system/system';
import { waitForGroupCaughtUp } from '../../testkit/support/consumer-group';
import { type BenchContext, truncateAll, withSystem } from './bench-context';
import type { BenchOptions } from './bench-options';
import { drainNaively } from './naive-consumer';
import { type PgbenchResult, runPgbench } from './pgbench';
import { grantScript } from './pgbench-scripts';
import { createWallets, produceBacklog, rewardBacklog, waitForPackets } from './reward-backlog';
import { median, perSecond, ratio, repeat } from './stats';

const DEFAULTS = new RewardServiceConfig();
const TOPIC_PARTITIONS = 6; // what SystemUnderTest creates

export interface RewardVariant {
  label: string;
  strategy: GrantStrategyName;
  /** REWARD_CONCURRENCY: users processed at once within one partition. */
  concurrency: number;
  /** REWARD_BATCH_GRANTS: one transaction per chunk of up to REWARD_BATCH_SIZE messages (concurrency unused). */
  batchGrants?: boolean;
  /** KAFKA_CLIENT: the library the reward service consumes and produces with; the default's when absent. */
  client?: KafkaClientName;
}

/**
 * Every grant strategy one transaction per message at the default concurrency, inbox-tx at concurrency 1,
 * and batched (the default) on each Kafka client.
 */
export const REWARD_VARIANTS: RewardVariant[] = [
  {
    label: `inbox-tx, one transaction per message, concurrency ${DEFAULTS.REWARD_CONCURRENCY}`,
    strategy: 'inbox-tx',
    concurrency: DEFAULTS.REWARD_CONCURRENCY,
  },
  { label: 'inbox-tx, concurrency 1', strategy: 'inbox-tx', concurrency: 1 },
  { label: 'inbox-no-tx', strategy: 'inbox-no-tx', concurrency: DEFAULTS.REWARD_CONCURRENCY },
  { label: 'version-in-message', strategy: 'version-in-message', concurrency: DEFAULTS.REWARD_CONCURRENCY },
  { label: 'none (no dedup)', strategy: 'none', concurrency: DEFAULTS.REWARD_CONCURRENCY },
  {
    label: `inbox-tx, batched, up to ${DEFAULTS.REWARD_BATCH_SIZE} per transaction (default)`,
    strategy: 'inbox-tx',
    concurrency: DEFAULTS.REWARD_CONCURRENCY,
    batchGrants: true,
  },
  {
    label: `inbox-tx, batched, up to ${DEFAULTS.REWARD_BATCH_SIZE} per transaction, @platformatic/kafka`,
    strategy: 'inbox-tx',
    concurrency: DEFAULTS.REWARD_CONCURRENCY,
    batchGrants: true,
    client: 'platformatic',
  },
];

/** The variant a reward service started with no settings runs: batched grants under inbox-tx. */
export function defaultVariant<V extends RewardVariant>(variants: V[]): V | undefined {
  return variants.find(
    (v) =>
      v.strategy === DEFAULTS.REWARD_STRATEGY &&
      (v.batchGrants ?? false) === grantsInBatches(DEFAULTS) &&
      v.concurrency === DEFAULTS.REWARD_CONCURRENCY &&
      (v.client ?? DEFAULTS.KAFKA_CLIENT) === DEFAULTS.KAFKA_CLIENT,
  );
}

export interface RewardVariantRun {
  grantsPerSecond: number;
  /** Transactions in flight at most: REWARD_CONCURRENCY × REWARD_PARTITIONS_CONCURRENTLY; pgbench uses as many clients. */
  inFlight: number;
  pgbenchTps: number;
  ratioToPgbench: number;
  ratioToNaive: number;
}

export interface RewardRun {
  naiveUpdatesPerSecond: number;
  pgbench: PgbenchResult[];
  variants: Record<string, RewardVariantRun>;
}

export interface RewardVariantSummary extends RewardVariantRun, RewardVariant {}

export interface RewardResult {
  events: number;
  partitions: number;
  partitionsConcurrently: number;
  runs: RewardRun[];
  median: { naiveUpdatesPerSecond: number; variants: RewardVariantSummary[] };
}

/** Drains a backlog of N events with the reward service, per variant, against two baselines. */
export async function benchReward(context: BenchContext, options: BenchOptions): Promise<RewardResult> {
  const runs = await repeat(options.runs, 'reward service', () => rewardRun(context, options));
  return {
    events: options.rewardEvents,
    partitions: TOPIC_PARTITIONS,
    partitionsConcurrently: DEFAULTS.REWARD_PARTITIONS_CONCURRENTLY,
    runs,
    median: {
      naiveUpdatesPerSecond: median(runs.map((run) => run.naiveUpdatesPerSecond)),
      variants: REWARD_VARIANTS.map((variant) => summarize(variant, runs)),
    },
  };
}

async function rewardRun(context: BenchContext, options: BenchOptions): Promise<RewardRun> {
  const naiveUpdatesPerSecond = await naiveBaseline(context, options.rewardEvents);
  const pgbench = await pgbenchCeilings(context, options);
  const variants: Record<string, RewardVariantRun> = {};
  for (const variant of REWARD_VARIANTS) {
    const grantsPerSecond = await drainWithRewardService(context, variant, options.rewardEvents);
    const inFlight = inFlightOf(variant);
    const pgbenchTps = pgbench.find((result) => result.clients === inFlight)?.tps ?? Number.NaN;
    variants[variant.label] = {
      grantsPerSecond,
      inFlight,
      pgbenchTps,
      ratioToPgbench: ratio(grantsPerSecond, pgbenchTps),
      ratioToNaive: ratio(grantsPerSecond, naiveUpdatesPerSecond),
    };
  }
  return { naiveUpdatesPerSecond, pgbench, variants };
}

/** Batched, a partition's chunks run one after another: one transaction per partition consumed at once. */
function inFlightOf(variant: RewardVariant): number {
  const perPartition = variant.batchGrants ? 1 : variant.concurrency;
  return perPartition * DEFAULTS.REWARD_PARTITIONS_CONCURRENTLY;
}

async function drainWithRewardService(context: BenchContext, variant: RewardVariant, events: number) {
  return withSystem(context, variant.strategy, async (system) => {
    const backlog = rewardBacklog(`${system.namespace}-rw`, events);
    await produceBacklog(system.kafka, system.topic, backlog);
    await createWallets(context.dataSource, backlog);
    await system.startApp('reward-service', {
      REWARD_CONCURRENCY: String(variant.concurrency),
      REWARD_BATCH_GRANTS: String(variant.batchGrants ?? false),
      ...(variant.client ? { KAFKA_CLIENT: variant.client } : {}),
    });
    const span = await waitForPackets(context.dataSource, events);
    await waitForGroupCaughtUp(system.admin, system.group, system.topic, 60_000);
    return perSecond(span.packets - 1, span.spanMs);
  });
}

async function naiveBaseline(context: BenchContext, events: number): Promise<number> {
  return withSystem(context, 'none', async (system: SystemUnderTest) => {
    const backlog = rewardBacklog(`${system.namespace}-naive`, events);
    await produceBacklog(system.kafka, system.topic, backlog);
    await createWallets(context.dataSource, backlog);
    const drain = await drainNaively(system.kafka, {
      topic: system.topic,
      groupId: `${system.group}-naive`,
      databaseUrl: context.databaseUrl,
      expected: events,
      partitions: TOPIC_PARTITIONS,
    });
    return perSecond(drain.messages - 1, drain.spanMs);
  });
}

/** The one-transaction-per-message ceiling, once per distinct number of transactions in flight. */
async function pgbenchCeilings(context: BenchContext, options: BenchOptions): Promise<PgbenchResult[]> {
  const clients = [...new Set(REWARD_VARIANTS.map(inFlightOf))];
  const script = grantScript(namespaced('pgbench', TOPICS.redPacketGranted));
  const results: PgbenchResult[] = [];
  for (const count of clients) {
    await truncateAll(context.dataSource);
    results.push(
      await runPgbench({ databaseUrl: context.databaseUrl, script, clients: count, seconds: options.pgbenchSeconds }),
    );
  }
  return results;
}

function summarize(variant: RewardVariant, runs: RewardRun[]): RewardVariantSummary {
  const pick = (field: keyof RewardVariantRun) => median(runs.map((run) => run.variants[variant.label][field]));
  return {
    ...variant,
    grantsPerSecond: pick('grantsPerSecond'),
    inFlight: inFlightOf(variant),
    pgbenchTps: pick('pgbenchTps'),
    ratioToPgbench: pick('ratioToPgbench'),
    ratioToNaive: pick('ratioToNaive'),
  };
}

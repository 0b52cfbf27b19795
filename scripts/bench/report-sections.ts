import { BaseConfig, WithOutbox } from '@redpacket/config';
import type { BenchResults } from './bench-results';
import { E2E_P99_TARGET_MS, type E2eLoads, type E2eResult, KEPT_RATE_SHARE, type LoadRun } from './end-to-end.bench';
import { IDLE_BASELINE, type IdleCpuResult } from './idle-cpu.bench';
import type { SigningResult } from './signing.bench';
import { placeOrderScript, grantScript } from './pgbench-scripts';
import type { ReconcileResult } from './reconcile.bench';
import type { RelayResult } from './relay.bench';
import { clientName, fasterRelay } from './report-goals';
import { ms, num, pct, table, times } from './report-format';
import { databaseSection } from './report-database';
import { stagesSection } from './report-stages';
import type { RestResult } from './rest.bench';
import type { RestProfile } from './rest-profile';
import { median, ratio } from './stats';
import type { RewardResult, RewardVariantSummary } from './reward.bench';

/** SQL statements (round trips) in a pgbench script: what one service transaction sends to Postgres. */
function statementCount(script: string): number {
  return script.split('\n').filter((line) => line.trim() && !line.startsWith('\\')).length;
}

export function restSection(rest: RestResult, results: BenchResults): string {
  const m = rest.median;
  const statements = statementCount(placeOrderScript('t'));
  const cores = results.machine.cores;
  const why =
    m.throughputRatio < 0.5
      ? `That is far from the baseline. The SQL is the same ${statements === 1 ? 'one statement' : `${statements} statements`}, so the gap is what a request costs outside Postgres (the profile below), on one event loop that used ${num(m.serviceCpuPercent)} % of a core during the run, while autocannon, Postgres and Kafka share the same ${cores} cores.`
      : m.throughputRatio < 0.8
        ? `The service keeps most of what the database can do; the rest is per-request work in Node (the service used ${num(m.serviceCpuPercent)} % of a core during the run; the profile below).`
        : `The service is close to its baseline: the transaction in Postgres, not the Node process, sets the pace.`;
  return [
    `## 1. REST: \`POST /orders\``,
    '',
    `One order-service process with its outbox relay **disabled** (so only the HTTP path and its transaction run), autocannon with ${rest.concurrency} connections for ${rest.seconds} s, a fresh \`Idempotency-Key\` and a qualifying order per request. The order is placed by one statement, \`SELECT ordering.place_order(...)\` (migration 9: key lock, key lookup, pricing, customer lock, order, items, outbox row, NOTIFY, key insert), prepared and sent on its own, so it is its own transaction: one round trip. Baseline: \`pgbench -M prepared -c ${rest.concurrency} -T ${rest.seconds}\` sending the same call as a custom script.`,
    '',
    table(
      ['', 'order-service', 'pgbench, same SQL', 'service ÷ pgbench'],
      [
        ['throughput', `${num(m.requestsPerSecond)} req/s`, `${num(m.pgbenchTps)} tps`, times(m.throughputRatio)],
        ['p50 latency', ms(m.p50Ms), ms(m.pgbenchP50Ms), times(m.p50Ms / m.pgbenchP50Ms)],
        ['p99 latency', ms(m.p99Ms), ms(m.pgbenchP99Ms), times(m.p99Ms / m.pgbenchP99Ms)],
      ],
    ),
    '',
    `The service completed ${pct(m.throughputRatio)} of pgbench's throughput (${num(m.failed)} failed requests). ${why}`,
    ...(rest.tracingOn
      ? [
          '',
          `Tracing is off by default: no tracer provider is registered, so each step's span is the OpenTelemetry API's no-op and no trace context is stored. With tracing on (\`TRACING_EXPORTER=file\`, every span of every request exported), one more run of the same load placed ${num(rest.tracingOn.requestsPerSecond)} orders/s, ${times(rest.tracingOn.ratioToOff)} the median with it off, at p99 ${ms(rest.tracingOn.p99Ms)}.`,
        ]
      : []),
    ...(rest.profile ? ['', profileSubsection(rest.profile, rest.profileBefore)] : []),
  ].join('\n');
}

/** Where the order service's CPU goes under the REST load, now and (when kept) before. */
function profileSubsection(now: RestProfile, before: (RestProfile & { measuredAt: string }) | undefined): string {
  const origins = [...new Set([...now.byOrigin, ...(before?.byOrigin ?? [])].map((share) => share.name))];
  // An origin outside a profile's top twelve gets a dash.
  const shareOf = (profile: RestProfile, name: string) => {
    const share = profile.byOrigin.find((entry) => entry.name === name);
    return share ? `${num(share.percent, 1)} %` : '–';
  };
  const columns = before ? [`before (${before.commit})`, `now (${now.commit})`] : [`now (${now.commit})`];
  const profiles = before ? [before, now] : [now];
  const topFunctions = (profile: RestProfile) =>
    profile.topFunctions
      .slice(0, 6)
      .map((share) => `\`${share.name}\` ${num(share.percent, 1)} %`)
      .join(', ');
  return [
    "### Where a request's CPU goes",
    '',
    `One more run of the same load with the order service under \`node --cpu-prof\` (boot and warm-up left out; scripts/bench/rest-profile.ts). Self time by origin, as a share of the time the process was busy; Node's own work, such as a socket write, is charged to the package that called it.${before ? ` "Before" is the same measurement of commit ${before.commit}, the last one that placed an order with ten statements in a TypeORM transaction and verified every token's signature (measured ${before.measuredAt.slice(0, 10)}, kept in \`bench/results/order-service-profile-before.json\`).` : ''}`,
    '',
    table(
      ['', ...columns],
      [
        ['CPU per order placed', ...profiles.map((profile) => `${num(profile.cpuMicrosPerOrder)} µs`)],
        ['orders/s while profiled', ...profiles.map((profile) => num(profile.requestsPerSecond))],
        ...origins.map((name) => [name, ...profiles.map((profile) => shareOf(profile, name))]),
      ],
    ),
    '',
    ...(before ? [`Top functions before: ${topFunctions(before)}.`, ''] : []),
    `Top functions now: ${topFunctions(now)}.`,
    ...(before
      ? [
          '',
          `CPU per order: ${times(now.cpuMicrosPerOrder / before.cpuMicrosPerOrder)} of before. Two changes did it: one statement instead of twelve round trips (each round trip cost a socket write, \`writev\`, and TypeORM's and pg's handling of a result), and a token that verified once is remembered until its \`exp\`, so the HMAC check (\`jose\`) runs once per token instead of once per request.`,
        ]
      : []),
  ].join('\n');
}

export function relaySection(relay: RelayResult): string {
  const m = relay.median;
  const depth = relay.pipelineDepth ?? 1;
  const largest = relay.maxBatchSize ?? relay.batchSize;
  const batches =
    largest > relay.batchSize
      ? `claims of ${relay.batchSize} rows that double while they come back full, up to ${num(largest)}`
      : `batches of ${relay.batchSize}`;
  const why =
    m.ratio < 0.5
      ? `That is far from the baseline: each batch is a Postgres transaction wrapped around the send (claim the due rows key by key under row locks, send and wait for acks=all, mark them published, commit), so every batch pays database round trips and JSON re-serialisation on top of the broker acknowledgement that is all the bare producer waits for${depth > 1 ? `; ${depth} batches in flight overlap that database work with the sends, but the producer still sends one request at a time` : ''}.`
      : m.ratio < 0.9
        ? `The relay keeps most of the producer's rate; the difference is the claim and mark transaction around every batch${depth > 1 ? `, overlapped ${depth} deep with the sends` : ''}.`
        : `The relay costs little over the bare producer: waiting for the broker's acknowledgement dominates both.`;
  return [
    '## 2. Outbox relay',
    '',
    `${num(relay.events)} outbox rows inserted directly, then \`OutboxRelay\` (libs/outbox, with the apps' kafkajs producer and their defaults: ${batches}, ${depth} batch${depth > 1 ? 'es' : ''} in flight) started and timed until none is unpublished. Baseline: a bare kafkajs idempotent producer (acks -1, maxInFlightRequests 1) sending the same messages in batches of ${num(largest)}, the relay's largest.`,
    '',
    table(
      ['', 'relay', 'bare producer', 'relay ÷ producer'],
      [
        ['events/s, kafkajs (default)', num(m.relayEventsPerSecond), num(m.producerEventsPerSecond), times(m.ratio)],
        ...(m.platformaticEventsPerSecond
          ? [
              [
                'events/s, @platformatic/kafka',
                num(m.platformaticEventsPerSecond),
                num(m.producerEventsPerSecond),
                times(m.platformaticRatio ?? 0),
              ],
            ]
          : []),
      ],
    ),
    '',
    `The relay published ${pct(m.ratio)} of the bare producer's rate. ${why}`,
    ...(m.platformaticEventsPerSecond
      ? [
          '',
          `On \`KAFKA_CLIENT=platformatic\` (a second backlog of the same size, same run, same relay), it published ${num(m.platformaticEventsPerSecond)} events/s: ${times(ratio(m.platformaticEventsPerSecond, m.relayEventsPerSecond))} the kafkajs relay. The bare producer stays kafkajs in both rows.`,
        ]
      : []),
    ...(relay.debezium ? ['', debeziumPart(relay)] : []),
  ].join('\n');
}

/** Debezium's outbox event router beside the relay, same backlog size and broker, same run. */
function debeziumPart(relay: RelayResult): string {
  const debezium = relay.debezium;
  if (!debezium) return '';
  if ('skipped' in debezium) return `Debezium's outbox event router did not run in this bench: ${debezium.skipped}.`;
  const faster = fasterRelay(relay.median);
  const { steady, relaySteady } = debezium;
  const tuning = Object.entries(debezium.tuning)
    .map(([name, value]) => `\`${name}=${value}\``)
    .join(', ');
  return [
    "### Debezium's outbox event router, same run",
    '',
    `Kafka Connect ${debezium.connect} (standalone) with debezium-connector-postgres ${debezium.debezium} from Maven Central, its \`EventRouter\` transform routing each row of \`ordering.outbox\` by its \`topic\` column, keyed by \`message_key\`, on the bench's own cluster (\`wal_level=logical\`, pgoutput, a replication slot) and the same broker, its producer idempotent with acks=all. Tuned: ${tuning}. It streams what is written after it starts: a warm-up backlog of ${num(Math.ceil(debezium.events / 4))} rows, then ${num(debezium.events)} rows in one transaction, timed from their commit until the broker had them all; then ${num(steady.ratePerSecond)} rows/s for ${num(steady.events / steady.ratePerSecond)} s, each its own transaction, delay from the row's transaction start to the broker's append time (the topics use \`LogAppendTime\`). The relay (${clientName(debezium.relayClient)}, the apps' defaults) met the same steady load in the same run; its delay ends at Kafka's acknowledgement (\`published_at\`).`,
    '',
    table(
      ['', `relay (${clientName(faster.client)})`, 'Debezium', 'relay ÷ Debezium'],
      [
        [
          `events/s, ${num(debezium.events)} backlog`,
          num(faster.eventsPerSecond),
          num(debezium.eventsPerSecond),
          times(faster.eventsPerSecond / debezium.eventsPerSecond),
        ],
        [
          `p50 at ${num(steady.ratePerSecond)}/s`,
          ms(relaySteady.p50Ms),
          ms(steady.p50Ms),
          times(relaySteady.p50Ms / steady.p50Ms),
        ],
        [
          `p99 at ${num(steady.ratePerSecond)}/s`,
          ms(relaySteady.p99Ms),
          ms(steady.p99Ms),
          times(relaySteady.p99Ms / steady.p99Ms),
        ],
      ],
    ),
  ].join('\n');
}

export function rewardSection(reward: RewardResult, results: BenchResults): string {
  const [standard, serial, ...others] = reward.median.variants.filter((v) => !v.batchGrants);
  const batched = reward.median.variants.find((v) => v.batchGrants);
  const strategies = [standard, ...others].sort((a, b) => b.grantsPerSecond - a.grantsPerSecond);
  const spread = strategies[0].grantsPerSecond / strategies[strategies.length - 1].grantsPerSecond;
  const statements = statementCount(grantScript('t'));
  const speedup = standard.grantsPerSecond / serial.grantsPerSecond;
  return [
    '## 3. Reward service',
    '',
    `${num(reward.events)} qualifying OrderPurchased events produced onto a fresh ${reward.partitions}-partition topic, then one reward-service process (its own relay on) started; grants/s is measured from the first packet's \`granted_at\` to the last one's, and the run ends when all packets are committed and the group lag is 0. Transactions in flight at most = REWARD_CONCURRENCY × REWARD_PARTITIONS_CONCURRENTLY (${reward.partitionsConcurrently}); pgbench runs the inbox-tx grant transaction with that many clients (\`-M prepared -T ${results.options.pgbenchSeconds}\`). The naive baseline is a kafkajs consumer with auto-commit doing one wallet UPDATE per message, no dedup.`,
    '',
    table(
      ['variant', 'grants/s', 'pgbench ceiling (clients)', 'ratio', 'naive consumer', 'ratio'],
      reward.median.variants.map((v) => [
        v.label,
        num(v.grantsPerSecond),
        `${num(v.pgbenchTps)} tps (${v.inFlight})`,
        times(v.ratioToPgbench),
        `${num(reward.median.naiveUpdatesPerSecond)}/s`,
        times(v.ratioToNaive),
      ]),
    ),
    '',
    `One transaction per message grants ${num(standard.grantsPerSecond)}/s: ${pct(standard.ratioToPgbench)} of the one-transaction-per-message ceiling and ${pct(standard.ratioToNaive)} of the naive at-least-once consumer. ` +
      (standard.ratioToPgbench < 0.5
        ? `That is far from the ceiling: pgbench only sends the ${statements} statements, while the service also fetches, parses and validates each message, schedules it per user, commits offsets only below the watermark, and its relay publishes a RedPacketGranted per grant, all on ${results.machine.cores} cores shared with Postgres and Kafka. `
        : `The service is near its ceiling: the grant transaction itself is the cost. `) +
      `The naive consumer is an upper bound that pays nothing for safety (no dedup, no packet, no outbox, offsets committed whatever happened). ` +
      (speedup >= 1.2
        ? `Concurrency ${standard.concurrency} is ${times(speedup)} as fast as concurrency 1: per-user parallelism hides database round-trip time. `
        : `Concurrency ${standard.concurrency} is ${times(speedup)} the rate of concurrency 1: on this box the CPU, not waiting for the database, is the limit. `) +
      (spread < 1.3
        ? `The strategies are within ${times(spread)} of each other, so deduplication is not what limits throughput.`
        : `The strategies differ by up to ${times(spread)} (fastest: ${strategies[0].label}; slowest: ${strategies[strategies.length - 1].label}).`) +
      (batched ? ` ${batchedSentence(batched, standard, reward)}` : ''),
  ].join('\n');
}

/** The best one-transaction-per-message rate pgbench reached in each run, median over the runs. */
export function bestPgbenchTps(reward: RewardResult): number {
  return median(reward.runs.map((run) => Math.max(...run.pgbench.map((result) => result.tps))));
}

/**
 * A variant's grants/s ÷ the best one-transaction-per-message rate pgbench reached, both in the same
 * run; median over the runs.
 */
export function ratioToBestPgbench(reward: RewardResult, variant: RewardVariantSummary): number {
  return median(
    reward.runs.map(
      (run) =>
        (run.variants[variant.label]?.grantsPerSecond ?? Number.NaN) /
        Math.max(...run.pgbench.map((result) => result.tps)),
    ),
  );
}

/** Batched grants (the default) against one transaction per message, the naive consumer and the best pgbench figure. */
function batchedSentence(batched: RewardVariantSummary, standard: RewardVariantSummary, reward: RewardResult): string {
  const best = bestPgbenchTps(reward);
  return `Batched grants (${batched.label}; the same guarantees) reach ${num(batched.grantsPerSecond)}/s: ${times(batched.grantsPerSecond / standard.grantsPerSecond)} one transaction per message, ${times(batched.ratioToNaive)} the naive consumer, and ${times(ratioToBestPgbench(reward, batched))} the best one-transaction-per-message ceiling (${num(best)} tps).`;
}

/** A load whose median delay passes this has outrun the pipeline: a backlog built up while it ran. */
const BACKLOG_P50_MS = 1_000;

export function e2eSection(e2e: E2eResult, cores: number): string {
  const lines = [
    '## 4. End to end',
    '',
    `order-service (relay on) and reward-service (inbox-tx), each its own process. An open-loop generator sends one \`POST /orders\` every 1/rate seconds for ${e2e.seconds} s per load, whether or not earlier requests have been answered (no bursts, no coordinated omission; autocannon's rate limit sends each second's quota at once, which measures a burst, not a steady load). Latency is \`rewards.red_packets.granted_at − ordering.orders.created_at\` computed in SQL; both columns are \`now()\`, i.e. their transaction's start, so each transaction's own few milliseconds are approximated. The split point is \`ordering.outbox.published_at\`, the moment Kafka acknowledged the relay's send. A load is held when the generator kept its rate, every order got its packet and p99 stayed under ${E2E_P99_TARGET_MS} ms. For batched grants, the default, every load is also broken down stage by stage, from the client's send to the grant's commit (the last table).`,
    '',
    '### One grant transaction per message (`REWARD_BATCH_GRANTS=false`)',
    '',
    loadsTable(e2e),
    '',
    loadsVerdict(e2e, cores),
  ];
  if (e2e.batched) {
    const batched = e2e.batched;
    lines.push(
      '',
      '### Batched grants (the default, same guarantees)',
      '',
      loadsTable(batched),
      '',
      loadsVerdict(batched, cores),
      '',
      batchedLoadsSentence(e2e, batched),
    );
    const stages = stagesSection(batched);
    if (stages) lines.push('', stages);
    const database = databaseSection(batched, batched.highestLoadUnderTarget ?? undefined);
    if (database) lines.push('', database);
  }
  if (e2e.batched && e2e.batchedPlatformatic) {
    lines.push(
      '',
      '### Batched grants on @platformatic/kafka (KAFKA_CLIENT=platformatic in both apps)',
      '',
      loadsTable(e2e.batchedPlatformatic),
      '',
      clientsSentence(e2e.batched, e2e.batchedPlatformatic),
    );
  }
  return lines.join('\n');
}

function loadsTable(loads: E2eLoads): string {
  return table(
    [
      'offered orders/s',
      'achieved',
      'orders',
      'packets',
      'not 201: refused (503/429) / 5xx / timeouts',
      'p50',
      'p95',
      'p99',
      `p99 ÷ ${E2E_P99_TARGET_MS} ms`,
      'order → Kafka ack p50 / p99',
      'Kafka ack → grant p50 / p99',
    ],
    loads.median.map((l) => [
      num(l.offeredPerSecond),
      num(l.achievedPerSecond, 1),
      num(l.orders),
      num(l.packets),
      l.refused === undefined ? '–' : `${num(l.refused)} / ${num(l.serverErrors ?? 0)} / ${num(l.timeouts ?? 0)}`,
      ms(l.p50Ms),
      ms(l.p95Ms),
      ms(l.p99Ms),
      times(l.p99Ms / E2E_P99_TARGET_MS),
      `${ms(l.toRelayP50Ms)} / ${ms(l.toRelayP99Ms)}`,
      `${ms(l.relayToGrantP50Ms)} / ${ms(l.relayToGrantP99Ms)}`,
    ]),
  );
}

function loadsVerdict(loads: E2eLoads, cores: number): string {
  const best = loads.highestLoadUnderTarget;
  const top = loads.median[loads.median.length - 1];
  const saturated = loads.median.filter((load) => load.achievedPerSecond < load.offeredPerSecond * KEPT_RATE_SHARE);
  const incomplete = loads.median.filter((load) => load.packets < load.orders);
  const backlogged = loads.median.filter((load) => load.p50Ms > BACKLOG_P50_MS);
  const bestLoad = loads.median.find((load) => load.offeredPerSecond === best);
  return (
    (best === null
      ? `No offered load was held with p99 under ${E2E_P99_TARGET_MS} ms. `
      : `The highest offered load held with p99 under ${E2E_P99_TARGET_MS} ms is **${num(best)} orders/s**. `) +
    `At ${num(top.offeredPerSecond)} orders/s the median delay was ${ms(top.p50Ms)} and p99 ${ms(top.p99Ms)}. ` +
    (saturated.length > 0
      ? `At ${saturated.map((l) => num(l.offeredPerSecond)).join(', ')} orders/s the order service could not take the offered rate (achieved ${saturated.map((l) => num(l.achievedPerSecond)).join(', ')}/s). `
      : '') +
    (backlogged.length > 0
      ? `At ${backlogged.map((l) => num(l.offeredPerSecond)).join(', ')} orders/s the pipeline fell behind (p50 over ${num(BACKLOG_P50_MS)} ms): events queued during the load and drained after it, all on the same ${cores} cores as the load generator, Postgres and Kafka. `
      : '') +
    (incomplete.length > 0
      ? `Some packets were still missing at the deadline at ${incomplete.map((l) => num(l.offeredPerSecond)).join(', ')} orders/s, so their percentiles understate the delay. `
      : '') +
    [...new Set([bestLoad, top].filter((l): l is LoadRun => l !== undefined))].map(legsSentence).join(' ')
  );
}

/** Batched against per-message, load by load: where batching cuts the delay and where it does not. */
function batchedLoadsSentence(perMessage: E2eLoads, batched: E2eLoads): string {
  return `p99 with batched grants against one transaction per message, load by load: ${p99ByLoad(batched, perMessage)}. Highest load with p99 under ${E2E_P99_TARGET_MS} ms: ${highestHeld(batched)} batched, ${highestHeld(perMessage)} per message. A batch is whatever one fetch brought for a partition, up to the batch size: at a light load that is one message, so batching adds no wait; under load it turns many grant transactions into one.`;
}

/** `load/s: p99 vs baseline's p99 (ratio)` for every load both configurations ran. */
function p99ByLoad(subject: E2eLoads, baseline: E2eLoads): string {
  return baseline.median
    .map((load, i) => ({ load: load.offeredPerSecond, baseline: load.p99Ms, subject: subject.median[i]?.p99Ms }))
    .filter((pair) => pair.subject !== undefined)
    .map(
      (pair) =>
        `${num(pair.load)}/s: ${ms(pair.subject)} vs ${ms(pair.baseline)} (${times(pair.subject / pair.baseline)})`,
    )
    .join('; ');
}

function highestHeld(loads: E2eLoads): string {
  return loads.highestLoadUnderTarget === null ? 'none' : `${num(loads.highestLoadUnderTarget)}/s`;
}

/** Says which leg of the path the delay at a load is spent in, from the measured split. */
function legsSentence(load: LoadRun): string {
  const relayShare = load.toRelayP50Ms / (load.toRelayP50Ms + load.relayToGrantP50Ms);
  const backlogged = load.p50Ms > BACKLOG_P50_MS;
  const before = backlogged
    ? 'most of it queued in the outbox before the relay could send it'
    : "most of it before Kafka acknowledged the event (the order's own transaction, the relay's wake-up on NOTIFY and its claim, and the batch ahead of it)";
  const after = backlogged
    ? 'most of it queued in Kafka before the reward service could grant it'
    : 'most of it after Kafka acknowledged the event (the consumer fetch, per-user scheduling and the grants queued ahead of it)';
  const leg =
    relayShare >= 0.6
      ? before
      : relayShare <= 0.4
        ? after
        : 'split about evenly between reaching Kafka and getting from Kafka to the grant';
  return `The median at ${num(load.offeredPerSecond)} orders/s splits into ${ms(load.toRelayP50Ms)} from order to Kafka's acknowledgement and ${ms(load.relayToGrantP50Ms)} from there to the grant: ${leg}; at p99 the legs are ${ms(load.toRelayP99Ms)} and ${ms(load.relayToGrantP99Ms)}.`;
}

export function idleSection(idle: IdleCpuResult): string {
  const baseline = idle.median.find((row) => row.name === IDLE_BASELINE);
  const apps = idle.median.filter((row) => row.name !== IDLE_BASELINE);
  const above = apps.filter((row) => row.ratioToBaseline >= 2);
  return [
    '## 5. Idle CPU',
    '',
    `Every app started with its default configuration (relays on, reconciler schedule on, no traffic), left to settle ${idle.settleSeconds} s, then utime+stime sampled from \`/proc/<pid>/stat\` over ${idle.seconds} s. Baseline: a bare kafkajs consumer (with the apps' kafkajs patch) in a group on an empty topic, fetch wait ${idle.baselineFetchWaitMs} ms as the reward service's consumer.`,
    '',
    table(
      ['process', '% of one core', `÷ ${IDLE_BASELINE}`],
      idle.median.map((row) => [row.name, `${num(row.percentOfCore, 2)} %`, times(row.ratioToBaseline)]),
    ),
    '',
    `At rest the apps use ${apps.map((row) => `${row.name} ${num(row.percentOfCore, 2)} %`).join(', ')} of a core; the bare consumer uses ${num(baseline?.percentOfCore ?? Number.NaN, 2)} %. ` +
      (above.length > 0
        ? `${above.map((row) => row.name).join(', ')} use${above.length === 1 ? 's' : ''} at least twice the baseline: besides any Kafka fetch loop, each runs pollers of its own (the outbox relays back off to one query per ${num(new (WithOutbox(BaseConfig))().OUTBOX_IDLE_MAX_MS)} ms between NOTIFYs, the monitor polls lag and writes probes, Nest and the health checks keep timers).`
        : `No app uses twice the baseline: idle polling is backed off.`),
  ].join('\n');
}

export function reconcileSection(reconcile: ReconcileResult): string {
  const [smallest] = reconcile.sizes;
  const largest = reconcile.sizes[reconcile.sizes.length - 1];
  return [
    '## 6. A scheduled reconciliation run against the size of history',
    '',
    `For each size, a database of its own holds that many decided orders (with packets and wallets) over 90 days. One full scan sets the high-water mark; then, per run, ${num(reconcile.newOrders)} new orders arrive (${reconcile.lostEvents} of them qualifying with their event lost) and one scheduled, incremental run is timed: it scans from the mark minus the overlap, reissues the lost ones, and runs the two-way checks over the same window.`,
    '',
    table(
      ['orders of history', 'full scan', 'scheduled run (median)', 'orders scanned', 'reissued'],
      reconcile.sizes.map((size) => [
        num(size.historyOrders),
        ms(size.fullScanMs),
        ms(size.incrementalMs),
        num(size.scanned),
        num(size.reissued),
      ]),
    ),
    '',
    `With ${num(largest.historyOrders)} orders of history a scheduled run takes ${times(largest.incrementalMs / smallest.incrementalMs)} the time it takes with ${num(smallest.historyOrders)}; a full scan takes ${times(largest.fullScanMs / smallest.fullScanMs)}.`,
  ].join('\n');
}

export function signingSection(signing: SigningResult): string {
  return [
    '## 7. Event signatures',
    '',
    `The order service's relay signs each OrderPurchased (Ed25519, \`node:crypto\`) and the reward service verifies it before deciding. Timed on one core over ${num(signing.events)} events shaped as the order service writes them, one after another.`,
    '',
    table(
      ['step', 'µs per event', 'events/s on one core'],
      [
        ['sign (relay)', num(signing.signMicros, 1), num(1_000_000 / signing.signMicros)],
        ['verify (reward service)', num(signing.verifyMicros, 1), num(1_000_000 / signing.verifyMicros)],
      ],
    ),
  ].join('\n');
}

/** The same loads on the two Kafka clients, p99 against p99. */
function clientsSentence(kafkajs: E2eLoads, platformatic: E2eLoads): string {
  return `p99 on @platformatic/kafka against kafkajs, load by load: ${p99ByLoad(platformatic, kafkajs)}. Highest load with p99 under ${E2E_P99_TARGET_MS} ms: ${highestHeld(platformatic)} on @platformatic/kafka, ${highestHeld(kafkajs)} on kafkajs.`;
}

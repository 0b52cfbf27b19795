import { E2E_P99_TARGET_MS, type E2eLoads } from './end-to-end.bench';
import { ms, num, pct, table } from './report-format';
import type { StageFigures, StageName } from './stage-breakdown';
import type { CpuPerOrder } from './system-cpu';

/** What each stage spans (each starts where the one above ends) and how it is known. */
const STAGES: Record<StageName, { label: string; until: string; known: string }> = {
  request: {
    label: 'request',
    until: 'client sends `POST /orders` → order transaction starts (`orders.created_at`)',
    known: 'measured',
  },
  orderCommit: {
    label: 'order transaction and commit',
    until: '→ the 201 reaches the client, or the relay starts sending if that is earlier',
    known: 'upper bound',
  },
  relayWake: {
    label: 'relay wake and claim',
    until: '→ kafkajs stamps the record (its CreateTime)',
    known: 'what is left of a measured span',
  },
  sendToAck: {
    label: 'send and ack',
    until: '→ Kafka acknowledged (`outbox.published_at`)',
    known: 'measured',
  },
  ackToGrant: {
    label: 'fetch, scheduling, wait for the chunk',
    until: '→ grant transaction starts (`red_packets.granted_at`)',
    known: 'measured; the fetch is merged in',
  },
  grantCommit: {
    label: 'grant transaction and commit',
    until: '→ the grant committed',
    known: 'mean only (metrics histogram)',
  },
};

/**
 * Where the time goes at the highest load batched grants (the default) held under the target: a row per
 * stage, and a paragraph on how each is known. Empty when the run recorded no stages.
 */
export function stagesSection(batched: E2eLoads): string {
  const held = batched.median.find((load) => load.offeredPerSecond === batched.highestLoadUnderTarget);
  const load = held ?? batched.median.find((l) => l.stages);
  const breakdown = load?.stages;
  if (!load || !breakdown) return '';
  const toGrantStartMean = sumOfMeans(breakdown.stages.filter((s) => s.stage !== 'grantCommit'));
  const commitKnown = Number.isFinite(breakdown.stages.find((s) => s.stage === 'grantCommit')?.meanMs ?? Number.NaN);
  // Without the grant's own time, shares are of client → grant start.
  const wholeMean = commitKnown ? sumOfMeans(breakdown.stages) : toGrantStartMean;
  const share = (figure: StageFigures) => pct(figure.meanMs / wholeMean);
  const largest = [...breakdown.stages]
    .filter((s) => Number.isFinite(s.meanMs))
    .sort((a, b) => b.meanMs - a.meanMs)
    .slice(0, 2);
  const where = held
    ? `at **${num(load.offeredPerSecond)} orders/s**, the highest load batched grants held with p99 under ${E2E_P99_TARGET_MS} ms`
    : `at ${num(load.offeredPerSecond)} orders/s: no load held p99 under ${E2E_P99_TARGET_MS} ms, so this is the lowest`;
  return [
    `### Where the time goes, batched grants (the default), ${num(load.offeredPerSecond)} orders/s`,
    '',
    table(
      ['stage', 'from → to', 'p50', 'p99', 'mean', 'share of the mean', 'how it is known'],
      [
        ...breakdown.stages.map((figure) => [
          STAGES[figure.stage].label,
          STAGES[figure.stage].until,
          ms(figure.p50Ms),
          ms(figure.p99Ms),
          ms(figure.meanMs),
          share(figure),
          STAGES[figure.stage].known,
        ]),
        [
          '**client → grant start**',
          'the stages above but the last, per order',
          ms(breakdown.toGrantStartP50Ms),
          ms(breakdown.toGrantStartP99Ms),
          ms(toGrantStartMean),
          pct(toGrantStartMean / wholeMean),
          'measured',
        ],
        ...(commitKnown
          ? [['**client → grant committed**', 'every stage', 'n/a', 'n/a', ms(wholeMean), pct(1), 'sum of the means']]
          : []),
      ],
    ),
    '',
    `Each figure is the median over ${batched.runs.length} run(s) of one load, ${where} (${num(breakdown.orders)} orders with every instant known). ` +
      `The largest shares of the mean are ${largest.map((s) => `${STAGES[s.stage].label} (${share(s)})`).join(' and ')}. ` +
      "All processes read one machine clock. The load generator stamps each request as it leaves and as its 201 arrives; Postgres stamps the start of the order and grant transactions (`now()`) and the acknowledgement (`clock_timestamp()` in the relay's UPDATE after Kafka answered, so it includes that statement's trip to Postgres); kafkajs stamps each record's CreateTime, in whole milliseconds, as it encodes the produce request (read back after the loads by a consumer group of its own). " +
      "Nothing stamps the order's commit: the 201 and the relay's send both come after it, so the commit stage ends at the earlier of the two (an upper bound that can include writing the response), and the relay's wake-up (NOTIFY, or the batch it was still sending, then its two claim statements) is what is left before the send. " +
      "Nothing stamps the reward service's fetch either, and it need not wait for the ack (a record can be fetched once Kafka has written it), so fetch, parsing, per-user scheduling and the wait for the chunk ahead are one stage. " +
      "The grant transaction has no per-order end: its mean is the mean the reward service's `redpacket_grant_latency_seconds` histogram added during the load (order time → just after the commit) less the measured order time → grant start of the same grants, so only its mean is known" +
      (commitKnown
        ? '. '
        : "; in this run the histogram did not count exactly the load's grants, so it is not known and the shares are of client → grant start. ") +
      'Percentiles of stages do not add up to the percentile of the whole; means do, which is why the share is of the mean.',
    ...(load.cpuPerOrder ? ['', cpuTable(load.cpuPerOrder, load.offeredPerSecond)] : []),
  ].join('\n');
}

/** The CPU behind the delays: on a small machine, queueing for a core is much of every stage above. */
function cpuTable(parts: CpuPerOrder[], perSecond: number): string {
  const sorted = [...parts].sort((a, b) => b.msPerOrder - a.msPerOrder);
  const total = sorted.reduce((sum, part) => sum + part.shareOfMachine, 0);
  return [
    table(
      ['part of the system', 'CPU per order', 'share of the machine during the load'],
      sorted.map((part) => [part.part, ms(part.msPerOrder), pct(part.shareOfMachine)]),
    ),
    '',
    `The CPU the same load cost, part by part (utime + stime from /proc, from the load's start until its last packet was granted, per order placed). Together these parts kept ${pct(total)} of the machine's cores busy at ${num(perSecond)} orders/s; on a machine this small, a stage's delay is mostly its wait for a core.`,
  ].join('\n');
}

function sumOfMeans(figures: StageFigures[]): number {
  return figures.reduce((sum, figure) => sum + figure.meanMs, 0);
}

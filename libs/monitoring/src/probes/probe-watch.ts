import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type GroupConsumerFactory, keepTrying, type SystemTopicsBootstrap, untilStopped } from '@redpacket/kafka';
import type { Metrics } from '@redpacket/observability';
import type { LagRow } from '../consumer-lag/lag-table';
import { repeat } from '../schedule/repeat';
import { PendingProbes, type SentProbe } from './pending-probes';
import { type ProbeAlert, ProbeAlerter, type ProbeAlertOptions } from './probe-alerter';
import { ProbeReader } from './probe-reader';
import type { ProbeSource } from './probe-writer';
import { ProbeWrites, type ProbeWritesReading } from './probe-writes';

/** The monitor's own reader, as opposed to the business group whose commits are watched. */
export const OWN_READER = 'monitor';
/** The business group whose commits past a probe count as the probe seen. */
export const REWARD_SERVICE = 'reward-service';

export interface ProbeWatchOptions {
  topic: string;
  /** The consumer group of the monitor's own reader. */
  readerGroup: string;
  intervalMs: number;
  alerts: ProbeAlertOptions;
}

/**
 * Timestamped probes through the real path: every interval one probe into each partition of the topic,
 * written by `source` (the order service, the one principal that may write it). A probe is seen by the
 * monitor's own reader when read, with an exact delay, and by the reward service when its group commits
 * past it (`committed`, at each lag reading). A probe seen late, one not seen in time and writes failing
 * for an interval are alerted (`onAlert` listeners hear each), and the delays are exported and sampled.
 */
export class ProbeWatch {
  private readonly logger = new Logger(ProbeWatch.name);
  private readonly writerId = `monitor-${randomUUID()}`;
  private readonly pending: PendingProbes;
  private readonly alerter: ProbeAlerter;
  private readonly reader: ProbeReader;
  private readonly writes: ProbeWrites;
  private readonly stopping = new AbortController();
  /** Per partition, the latest of our probes the reader saw before it was known to be written. */
  private readonly unmatchedArrivals = new Map<number, { sentAtMs: number; arrivedAtMs: number }>();
  private readerStarting: Promise<void> | undefined;
  private stopWriting: (() => Promise<void>) | undefined;
  private readonly listeners: ((alert: Omit<ProbeAlert, 'thresholdMs'>) => void)[] = [];
  /** The largest delay the monitor's reader saw since the last sample. */
  private seenDelayMs = 0;
  /** Probe rounds written (one probe per partition each). */
  written = 0;
  alertsRaised = 0;

  constructor(
    clients: GroupConsumerFactory,
    private readonly topics: SystemTopicsBootstrap,
    private readonly source: ProbeSource,
    private readonly metrics: Metrics,
    private readonly options: ProbeWatchOptions,
  ) {
    this.pending = new PendingProbes([OWN_READER, REWARD_SERVICE], options.alerts.thresholdMs);
    this.alerter = new ProbeAlerter(options.alerts, metrics, new Logger('ProbeAlert'));
    this.reader = new ProbeReader(clients, options.topic, options.readerGroup, this.writerId, (partition, sent, at) =>
      this.arrived(partition, sent, at),
    );
    this.writes = new ProbeWrites(options.intervalMs);
  }

  /** Writes on schedule at once; Kafka may be away, so the reader joins in the background meanwhile. */
  start(): void {
    this.readerStarting = untilStopped(this.topics.whenEnsured(), this.stopping.signal, 'the system topics')
      .then(() =>
        keepTrying(() => this.reader.start(), {
          what: 'starting the probe reader',
          signal: this.stopping.signal,
          logger: this.logger,
        }),
      )
      .catch(() => undefined);
    const every = this.options.intervalMs;
    this.stopWriting = repeat('probe write', async () => (await this.writeAll(), every), every, this.logger);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.stopWriting?.();
    await this.readerStarting;
    if (this.readerStarting) await this.reader.stop();
  }

  /** Calls `listener` with every alert raised from now on. */
  onAlert(listener: (alert: Omit<ProbeAlert, 'thresholdMs'>) => void): void {
    this.listeners.push(listener);
  }

  /** Whether probes are being written: a monitor that cannot write them is blind to delay. */
  reading(now: number): ProbeWritesReading {
    return this.writes.reading(now);
  }

  /** The reward service's commits, from a lag reading; probes they passed are seen, the overdue are alerted. */
  committed(lag: readonly LagRow[], rewardGroup: string, now: number): void {
    for (const row of lag) {
      if (row.group !== rewardGroup || row.currentOffset === '-') continue;
      this.pending.committed(REWARD_SERVICE, row.partition, BigInt(row.currentOffset));
    }
    for (const probe of this.pending.overdue(now)) {
      this.alert({ observer: probe.observer, reason: 'not-arrived', partition: probe.partition, delayMs: probe.ageMs });
    }
  }

  /**
   * Per observer, the age of the oldest probe it has not seen (about 0 while it keeps up, growing while it
   * is stuck); for the monitor's reader at least the largest delay it saw since the last sample.
   */
  sampleDelays(now: number): Record<string, number> {
    const delays: Record<string, number> = {};
    for (const observer of this.pending.observers) delays[observer] = this.pending.oldestAgeMs(observer, now);
    delays[OWN_READER] = Math.max(delays[OWN_READER], this.seenDelayMs);
    this.seenDelayMs = 0;
    return delays;
  }

  private async writeAll(): Promise<void> {
    let written: SentProbe[];
    try {
      written = await this.source.writeAll(this.writerId);
    } catch (error) {
      this.writeFailed((error as Error).message);
      return;
    }
    if (this.writes.written()) this.logger.log('probes written again');
    this.metrics.probeWriteFailing.set(0);
    for (const probe of written) this.pending.sent(probe);
    this.written += 1;
    // The reader may have seen a probe before the order service's answer said it was written.
    for (const probe of written) {
      const early = this.unmatchedArrivals.get(probe.partition);
      if (early === undefined || early.sentAtMs < probe.sentAtMs) continue;
      this.unmatchedArrivals.delete(probe.partition);
      this.arrived(probe.partition, early.sentAtMs, early.arrivedAtMs);
    }
  }

  /**
   * One failed write is nothing to report (the order service restarting); writes failing for a probe
   * interval make the monitor blind: an alert, the gauge and a readiness detail say so.
   */
  private writeFailed(error: string): void {
    const now = Date.now();
    const becameBlind = this.writes.failed(error, now);
    const { failingForMs } = this.writes.reading(now);
    this.metrics.probeWriteFailing.set(failingForMs / 1_000);
    if (becameBlind) this.alert({ observer: 'monitor', reason: 'not-written', delayMs: failingForMs, error });
    else this.logger.debug('probe write failed', { error });
  }

  /** The monitor's own reader saw a probe: an exact write-to-read delay, unlike a commit seen at the next poll. */
  private arrived(partition: number, sentAtMs: number, arrivedAtMs: number): void {
    if (this.pending.arrived(OWN_READER, partition, sentAtMs).length === 0) {
      this.unmatchedArrivals.set(partition, { sentAtMs, arrivedAtMs });
      return;
    }
    const delayMs = arrivedAtMs - sentAtMs;
    this.metrics.probeDelay.observe({ observer: OWN_READER, partition: String(partition) }, delayMs / 1_000);
    this.seenDelayMs = Math.max(this.seenDelayMs, delayMs);
    if (delayMs > this.options.alerts.thresholdMs)
      this.alert({ observer: OWN_READER, reason: 'late', partition, delayMs });
  }

  private alert(alert: Omit<ProbeAlert, 'thresholdMs'>): void {
    this.alerter.raise(alert);
    this.alertsRaised += 1;
    for (const listener of this.listeners) listener(alert);
  }
}

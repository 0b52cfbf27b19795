import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { redactUrl } from '@redpacket/config';
import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import { KafkaAdmin, KafkaClients, keepTrying, SystemTopicsBootstrap, untilStopped } from '@redpacket/kafka';
import { IdleBackoff, outboxLocation } from '@redpacket/outbox';
import {
  describeConsumerLag,
  type LagRow,
  PendingProbes,
  probeAlertOptions,
  type ProbeAlert,
  ProbeAlerter,
  OrderServiceProbes,
  type PendingRepairsAlert,
  PendingRepairsAlarm,
  type PendingRepairsReading,
  ProbeReader,
  ProbeWrites,
  type ProbeWritesReading,
  readPendingRepairs,
  readRuleChanges,
  type RuleChange,
  RuleChangeWatch,
  type ProbeSource,
  type SentProbe,
  type StalledPartition,
  StalledPartitions,
  type StallReading,
} from '@redpacket/monitoring';
import { Metrics } from '@redpacket/observability';
import type { ReadinessCheck, ReadinessReport } from '@redpacket/platform';
import { DataSource } from 'typeorm';
import { MonitorConfig } from './monitor.config';
import { MonitorHistory, type MonitorSample } from './monitor-history';
import { repeat } from './repeat';

const OUTBOX_TABLES = [outboxLocation('ordering').table, outboxLocation('rewards').table];
const RECENT_ALERTS = 20;
/** The monitor's own reader, as opposed to the business groups whose commits are watched. */
const OWN_READER = 'monitor';

export interface OutboxBacklog {
  table: string;
  backlog: number;
  oldestAgeSeconds: number;
}

interface DatabaseCounters {
  orders: number;
  packetsGranted: number;
  /** A sum of bigint cents: a string, as JSON numbers could lose precision. */
  grantedCents: string;
}

export interface SystemCounters extends DatabaseCounters {
  /** Probe rounds written (one probe per partition each). */
  probesWritten: number;
  probeAlerts: number;
}

export type RecentAlert = (Omit<ProbeAlert, 'thresholdMs'> | PendingRepairsAlert) & { at: number };

/** What the latest finished incremental or full reconciliation found going backwards: money without a reason. */
export interface ReconciliationReading {
  runId: string;
  finishedAt: string;
  orphanPackets: number;
  amountMismatches: number;
  walletDrifts: number;
}

export interface MonitorSnapshot {
  now: number;
  thresholdMs: number;
  counters: SystemCounters;
  lag: LagRow[];
  /** Partitions whose committed offset has not moved for MONITOR_STALL_AFTER_MS while lag waited. */
  stalled: StalledPartition[];
  outbox: OutboxBacklog[];
  /** Absent until a covering run has finished. */
  reconciliation: ReconciliationReading | undefined;
  /** Orders whose reissue failed and that every reconciliation run retries until they are decided. */
  pendingRepairs: PendingRepairsReading;
  /** Whether the monitor's probes are being written: a monitor that cannot write them measures nothing. */
  probeWrites: ProbeWritesReading;
  /** The latest reward rule versions, newest first, each with the credential that added it. */
  rules: RuleChange[];
  alerts: RecentAlert[];
  history: readonly MonitorSample[];
}

/**
 * The monitor's work, on two schedules. Every poll: consumer lag of every group of the system and
 * which partitions are stalled, the outbox backlog of every service, a few counters, and which
 * probes are overdue. Every probe interval: one timestamped probe into each partition of
 * order.purchased, written by the order service at the monitor's request. A probe is seen by the monitor's own group when read, and by the reward service
 * when its group commits past it.
 */
@Injectable()
export class SystemWatch implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly readinessName = 'probes';
  private readonly logger = new Logger(SystemWatch.name);
  private readonly topic: string;
  private readonly groups: Record<string, string>;
  private readonly pending: PendingProbes;
  private readonly alerter: ProbeAlerter;
  private readonly probes: ProbeSource;
  private readonly writerId = `monitor-${randomUUID()}`;
  /** Per partition, the latest of our probes the reader saw before it was known to be written. */
  private readonly unmatchedArrivals = new Map<number, { sentAtMs: number; arrivedAtMs: number }>();
  private readonly reader: ProbeReader;
  private readonly history: MonitorHistory;
  private readonly stalls: StalledPartitions;
  private readonly pollBackoff: IdleBackoff;
  private readonly stopping = new AbortController();
  private readerStarting: Promise<void> | undefined;
  private readonly stops: (() => Promise<void>)[] = [];
  private readonly recentAlerts: RecentAlert[] = [];
  /** The largest delay the monitor's reader saw since the last sample. */
  private seenDelayMs = 0;
  private probesWritten = 0;
  private probeAlerts = 0;
  /** The run whose discrepancies were last logged, so one report is alerted once. */
  private alertedRunId: string | undefined;
  private readonly pendingRepairsAlarm = new PendingRepairsAlarm();
  private readonly ruleChanges = new RuleChangeWatch();
  private readonly probeWrites: ProbeWrites;
  private latest: {
    lag: LagRow[];
    stalled: StalledPartition[];
    outbox: OutboxBacklog[];
    database: DatabaseCounters;
    reconciliation: ReconciliationReading | undefined;
    pendingRepairs: PendingRepairsReading;
    rules: RuleChange[];
  } = {
    lag: [],
    stalled: [],
    outbox: [],
    database: { orders: 0, packetsGranted: 0, grantedCents: '0' },
    reconciliation: undefined,
    pendingRepairs: { count: 0, oldestFailedAt: null, lastFailedAt: null },
    rules: [],
  };

  constructor(
    @Inject(KafkaClients) clients: KafkaClients,
    @Inject(KafkaAdmin) private readonly admin: KafkaAdmin,
    @Inject(SystemTopicsBootstrap) private readonly topics: SystemTopicsBootstrap,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MonitorConfig) private readonly config: MonitorConfig,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    const namespace = config.KAFKA_NAMESPACE;
    this.topic = namespaced(namespace, TOPICS.orderPurchased);
    this.groups = {
      'reward-service': namespaced(namespace, CONSUMER_GROUPS.rewardService),
      [OWN_READER]: namespaced(namespace, CONSUMER_GROUPS.monitor),
    };
    this.pending = new PendingProbes([OWN_READER, 'reward-service'], config.PROBE_ALERT_THRESHOLD_MS);
    this.alerter = new ProbeAlerter(probeAlertOptions(config), metrics, new Logger('ProbeAlert'));
    this.probes = new OrderServiceProbes(config.ORDER_SERVICE_URL, config.probeWriteToken());
    this.reader = new ProbeReader(
      clients,
      this.topic,
      this.groups[OWN_READER],
      this.writerId,
      (partition, sentAtMs, at) => this.probeArrived(partition, sentAtMs, at),
    );
    this.history = new MonitorHistory(config.MONITOR_HISTORY_SECONDS * 1_000);
    this.stalls = new StalledPartitions(config.MONITOR_STALL_AFTER_MS);
    this.pollBackoff = new IdleBackoff(config.MONITOR_POLL_INTERVAL_MS, config.MONITOR_POLL_MAX_INTERVAL_MS);
    this.probeWrites = new ProbeWrites(config.PROBE_INTERVAL_MS);
  }

  /** Ready without probes (the lag and the database readings go on), but blind to delay: degraded. */
  readiness(): ReadinessReport & Partial<ProbeWritesReading> {
    const reading = this.probeWrites.reading(Date.now());
    return reading.blind ? { ready: true, degraded: 'probes not written', ...reading } : { ready: true };
  }

  async onApplicationBootstrap(): Promise<void> {
    const base = this.config.MONITOR_POLL_INTERVAL_MS;
    this.stops.push(repeat('monitor poll', () => this.pollThenWait(), base, this.logger));
    if (!this.config.PROBES_ENABLED) return;
    // Kafka may be away: the reader joins in the background, and the polls and probe writes go on meanwhile.
    this.readerStarting = untilStopped(this.topics.whenEnsured(), this.stopping.signal, 'the system topics')
      .then(() =>
        keepTrying(() => this.reader.start(), {
          what: 'starting the probe reader',
          signal: this.stopping.signal,
          logger: this.logger,
        }),
      )
      .catch(() => undefined);
    const every = this.config.PROBE_INTERVAL_MS;
    this.stops.push(repeat('probe write', async () => (await this.writeProbes(), every), every, this.logger));
    this.logger.log('probing', {
      topic: this.topic,
      everyMs: this.config.PROBE_INTERVAL_MS,
      writtenBy: redactUrl(this.config.ORDER_SERVICE_URL),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.stops.map((stop) => stop()));
    await this.readerStarting;
    if (this.config.PROBES_ENABLED) {
      await this.reader.stop();
    }
  }

  snapshot(): MonitorSnapshot {
    return {
      now: Date.now(),
      thresholdMs: this.config.PROBE_ALERT_THRESHOLD_MS,
      counters: { ...this.latest.database, probesWritten: this.probesWritten, probeAlerts: this.probeAlerts },
      lag: this.latest.lag,
      stalled: this.latest.stalled,
      outbox: this.latest.outbox,
      reconciliation: this.latest.reconciliation,
      pendingRepairs: this.latest.pendingRepairs,
      probeWrites: this.probeWrites.reading(Date.now()),
      rules: this.latest.rules,
      alerts: [...this.recentAlerts],
      history: this.history.all(),
    };
  }

  /** One reading of everything; also what the tests call to read without waiting for the schedule. */
  async poll(): Promise<MonitorSnapshot> {
    const [lag, outbox, database, reconciliation, pendingRepairs, rules] = await Promise.all([
      this.readLag(),
      this.readOutbox(),
      this.readCounters(),
      this.readReconciliation(),
      readPendingRepairs(this.dataSource),
      readRuleChanges(this.dataSource),
    ]);
    const now = Date.now();
    for (const row of lag) {
      if (row.group !== this.groups['reward-service'] || row.currentOffset === '-') continue;
      this.pending.committed('reward-service', row.partition, BigInt(row.currentOffset));
    }
    for (const probe of this.pending.overdue(now)) {
      this.alert({ observer: probe.observer, reason: 'not-arrived', partition: probe.partition, delayMs: probe.ageMs });
    }
    const stalls = this.stalls.observe(lag, now);
    this.reportStalls(stalls);
    this.reportDiscrepancies(reconciliation);
    this.reportPendingRepairs(pendingRepairs, now);
    for (const rule of this.ruleChanges.added(rules)) this.logger.warn('reward rule added', { ...rule });
    this.latest = { lag, stalled: stalls.stalled, outbox, database, reconciliation, pendingRepairs, rules };
    this.history.add(this.sample(lag, now));
    return this.snapshot();
  }

  /** Polls, then says when to poll next: at the base interval while anything moves, slower while all is still. */
  private async pollThenWait(): Promise<number> {
    const before = this.latest.database;
    const now = await this.poll();
    const moving =
      now.lag.some((row) => (lagOf(row) ?? 0) > 0) ||
      now.outbox.some((o) => o.backlog > 0) ||
      now.counters.orders !== before.orders ||
      now.counters.packetsGranted !== before.packetsGranted;
    if (moving) this.pollBackoff.reset();
    return this.pollBackoff.next();
  }

  private async writeProbes(): Promise<void> {
    let written: SentProbe[];
    try {
      written = await this.probes.writeAll(this.writerId);
    } catch (error) {
      this.probeWriteFailed((error as Error).message);
      return;
    }
    if (this.probeWrites.written()) this.logger.log('probes written again');
    this.metrics.probeWriteFailing.set(0);
    for (const probe of written) this.pending.sent(probe);
    this.probesWritten += 1;
    // The reader may have seen a probe before the order service's answer said it was written.
    for (const probe of written) {
      const early = this.unmatchedArrivals.get(probe.partition);
      if (early === undefined || early.sentAtMs < probe.sentAtMs) continue;
      this.unmatchedArrivals.delete(probe.partition);
      this.probeArrived(probe.partition, early.sentAtMs, early.arrivedAtMs);
    }
  }

  /**
   * One failed write is nothing to report (the order service restarting); writes failing for a probe
   * interval make the monitor blind: an alert, the gauge and a readiness detail say so.
   */
  private probeWriteFailed(error: string): void {
    const now = Date.now();
    const becameBlind = this.probeWrites.failed(error, now);
    const { failingForMs } = this.probeWrites.reading(now);
    this.metrics.probeWriteFailing.set(failingForMs / 1_000);
    if (becameBlind) this.alert({ observer: 'monitor', reason: 'not-written', delayMs: failingForMs, error });
    else this.logger.debug('probe write failed', { error });
  }

  /** The monitor's own reader saw a probe: an exact write-to-read delay, unlike a commit seen at the next poll. */
  private probeArrived(partition: number, sentAtMs: number, arrivedAtMs: number): void {
    if (this.pending.arrived(OWN_READER, partition, sentAtMs).length === 0) {
      this.unmatchedArrivals.set(partition, { sentAtMs, arrivedAtMs });
      return;
    }
    const delayMs = arrivedAtMs - sentAtMs;
    this.metrics.probeDelay.observe({ observer: OWN_READER, partition: String(partition) }, delayMs / 1_000);
    this.seenDelayMs = Math.max(this.seenDelayMs, delayMs);
    if (delayMs > this.config.PROBE_ALERT_THRESHOLD_MS) {
      this.alert({ observer: OWN_READER, reason: 'late', partition, delayMs });
    }
  }

  private alert(alert: Omit<ProbeAlert, 'thresholdMs'>): void {
    this.alerter.raise(alert);
    this.probeAlerts += 1;
    this.remember(alert);
  }

  private remember(alert: Omit<ProbeAlert, 'thresholdMs'> | PendingRepairsAlert): void {
    this.recentAlerts.unshift({ at: Date.now(), ...alert });
    this.recentAlerts.length = Math.min(this.recentAlerts.length, RECENT_ALERTS);
  }

  /** With Kafka away the lag is unknown: the last reading stays, and the database readings go on. */
  private async readLag(): Promise<LagRow[]> {
    const rows: LagRow[] = [];
    try {
      for (const group of Object.values(this.groups)) rows.push(...(await describeConsumerLag(this.admin, group)));
    } catch (error) {
      this.logger.warn('consumer lag unreadable; keeping the last reading', { error: (error as Error).message });
      return this.latest.lag;
    }
    this.metrics.consumerLag.reset();
    for (const row of rows) {
      const lag = lagOf(row);
      if (lag === undefined) continue;
      this.metrics.consumerLag.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, lag);
    }
    return rows;
  }

  /** A warn line when a partition stalls, an info line when it recovers, and the gauge of every stalled one. */
  private reportStalls({ stalled, began, recovered }: StallReading): void {
    for (const partition of began) this.logger.warn('consumer partition stalled', { ...partition });
    for (const partition of recovered) this.logger.log('consumer partition recovered', { ...partition });
    this.metrics.consumerPartitionStalled.reset();
    for (const { group, topic, partition, stalledForMs } of stalled) {
      this.metrics.consumerPartitionStalled.set({ group, topic, partition: String(partition) }, stalledForMs / 1_000);
    }
  }

  private async readOutbox(): Promise<OutboxBacklog[]> {
    const backlogs: OutboxBacklog[] = [];
    for (const table of OUTBOX_TABLES) {
      const [row] = await this.dataSource.query<{ backlog: number; oldest: number }[]>(
        `SELECT count(*)::int AS backlog,
                coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest
           FROM ${table} WHERE published_at IS NULL`,
      );
      backlogs.push({ table, backlog: row.backlog, oldestAgeSeconds: row.oldest });
      this.metrics.outboxBacklog.set({ table }, row.backlog);
      this.metrics.outboxOldestAge.set({ table }, row.oldest);
    }
    return backlogs;
  }

  private async readReconciliation(): Promise<ReconciliationReading | undefined> {
    const [row] = await this.dataSource.query<
      { run_id: string; finished_at: Date; orphan_packets: number; amount_mismatches: number; wallet_drifts: number }[]
    >(
      `SELECT run_id, finished_at, orphan_packets, amount_mismatches, wallet_drifts FROM reconciliation.runs
        WHERE status = 'succeeded' AND NOT dry_run AND scan IN ('incremental', 'full')
        ORDER BY finished_at DESC LIMIT 1`,
    );
    return (
      row && {
        runId: row.run_id,
        finishedAt: row.finished_at.toISOString(),
        orphanPackets: row.orphan_packets,
        amountMismatches: row.amount_mismatches,
        walletDrifts: row.wallet_drifts,
      }
    );
  }

  /** Exports the latest report's counts, and alerts once per report that found anything. */
  private reportDiscrepancies(reading: ReconciliationReading | undefined): void {
    if (!reading) return;
    const byKind = {
      orphan_packet: reading.orphanPackets,
      amount_mismatch: reading.amountMismatches,
      wallet_drift: reading.walletDrifts,
    };
    for (const [kind, value] of Object.entries(byKind)) this.metrics.reconciliationDiscrepancies.set({ kind }, value);
    const found = reading.orphanPackets + reading.amountMismatches + reading.walletDrifts;
    if (found === 0 || reading.runId === this.alertedRunId) return;
    this.alertedRunId = reading.runId;
    this.logger.error('reconciliation reported money without a reason', { ...reading });
  }

  /** Exports how many reissues are pending, and alerts once per failed attempt a reconciliation run recorded. */
  private reportPendingRepairs(reading: PendingRepairsReading, now: number): void {
    this.metrics.reconciliationPendingRepairs.set(reading.count);
    const alert = this.pendingRepairsAlarm.observe(reading, now);
    if (!alert) return;
    this.logger.error('reconciliation repairs are pending', { ...reading });
    this.remember(alert);
  }

  private async readCounters(): Promise<DatabaseCounters> {
    const [row] = await this.dataSource.query<{ orders: number; packets: number; cents: string }[]>(
      `SELECT (SELECT count(*) FROM ordering.orders)::int AS orders,
              (SELECT count(*) FROM rewards.red_packets)::int AS packets,
              (SELECT coalesce(sum(amount_cents), 0) FROM rewards.red_packets)::text AS cents`,
    );
    return { orders: row.orders, packetsGranted: row.packets, grantedCents: row.cents };
  }

  private sample(lag: LagRow[], now: number): MonitorSample {
    const byGroup: MonitorSample['lag'] = {};
    for (const row of lag) {
      const partitionLag = lagOf(row);
      if (partitionLag === undefined) continue;
      const name = Object.keys(this.groups).find((key) => this.groups[key] === row.group) ?? row.group;
      (byGroup[name] ??= {})[String(row.partition)] = partitionLag;
    }
    // The age of the oldest probe an observer has not seen: about 0 while it keeps up, growing while it is stuck.
    const probeDelayMs: Record<string, number> = {};
    for (const observer of this.pending.observers) probeDelayMs[observer] = this.pending.oldestAgeMs(observer, now);
    probeDelayMs[OWN_READER] = Math.max(probeDelayMs[OWN_READER], this.seenDelayMs);
    this.seenDelayMs = 0;
    return { at: now, lag: byGroup, probeDelayMs };
  }
}

/** The lag as a number; undefined for a partition the group never committed to ('-', as Kafka prints it). */
function lagOf(row: LagRow): number | undefined {
  return row.lag === '-' ? undefined : Number(row.lag);
}

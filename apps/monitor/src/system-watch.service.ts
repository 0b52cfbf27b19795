import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { redactUrl } from '@redpacket/config';
import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import { IdleBackoff } from '@redpacket/outbox';
import {
  type LagRow,
  LedgerCounters,
  type LedgerTotals,
  lagOf,
  LagWatch,
  type OutboxBacklog,
  OutboxWatch,
  OWN_READER,
  type PendingRepairsAlert,
  type PendingRepairsReading,
  type ProbeAlert,
  ProbeWatch,
  type ProbeWritesReading,
  type ReconciliationReading,
  ReconciliationWatch,
  repeat,
  type RuleChange,
  RuleWatch,
  type StalledPartition,
  REWARD_SERVICE,
} from '@redpacket/monitoring';
import type { ReadinessCheck, ReadinessReport } from '@redpacket/platform';
import { MonitorConfig } from './monitor.config';
import { MonitorHistory, type MonitorSample } from './monitor-history';

const RECENT_ALERTS = 20;

export interface SystemCounters extends LedgerTotals {
  /** Probe rounds written (one probe per partition each). */
  probesWritten: number;
  probeAlerts: number;
}

export type RecentAlert = (Omit<ProbeAlert, 'thresholdMs'> | PendingRepairsAlert) & { at: number };

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
 * The monitor's composition: the watchers of libs/monitoring, read together every poll (consumer lag and
 * stalls, the outbox backlogs, the reconciler's findings, the reward rules, a few totals), the probes on
 * their own interval, and the snapshot, the history and the recent alerts the live page shows.
 */
@Injectable()
export class SystemWatch implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly readinessName = 'probes';
  private readonly logger = new Logger(SystemWatch.name);
  private readonly rewardGroup: string;
  private readonly history: MonitorHistory;
  private readonly pollBackoff: IdleBackoff;
  private stopPolling: (() => Promise<void>) | undefined;
  private readonly recentAlerts: RecentAlert[] = [];
  private latest: Omit<MonitorSnapshot, 'now' | 'thresholdMs' | 'counters' | 'probeWrites' | 'alerts' | 'history'> & {
    database: LedgerTotals;
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
    @Inject(LagWatch) private readonly lagWatch: LagWatch,
    @Inject(OutboxWatch) private readonly outboxWatch: OutboxWatch,
    @Inject(ReconciliationWatch) private readonly reconciliationWatch: ReconciliationWatch,
    @Inject(RuleWatch) private readonly ruleWatch: RuleWatch,
    @Inject(ProbeWatch) private readonly probes: ProbeWatch,
    @Inject(LedgerCounters) private readonly ledger: LedgerCounters,
    @Inject(MonitorConfig) private readonly config: MonitorConfig,
  ) {
    this.rewardGroup = namespaced(config.KAFKA_NAMESPACE, CONSUMER_GROUPS.rewardService);
    this.history = new MonitorHistory(config.MONITOR_HISTORY_SECONDS * 1_000);
    this.pollBackoff = new IdleBackoff(config.MONITOR_POLL_INTERVAL_MS, config.MONITOR_POLL_MAX_INTERVAL_MS);
    this.probes.onAlert((alert) => this.remember(alert));
  }

  /** Ready without probes (the lag and the database readings go on), but blind to delay: degraded. */
  readiness(): ReadinessReport & Partial<ProbeWritesReading> {
    const reading = this.probes.reading(Date.now());
    return reading.blind ? { ready: true, degraded: 'probes not written', ...reading } : { ready: true };
  }

  onApplicationBootstrap(): void {
    const base = this.config.MONITOR_POLL_INTERVAL_MS;
    this.stopPolling = repeat('monitor poll', () => this.pollThenWait(), base, this.logger);
    if (!this.config.PROBES_ENABLED) return;
    this.probes.start();
    this.logger.log('probing', {
      topic: namespaced(this.config.KAFKA_NAMESPACE, TOPICS.orderPurchased),
      everyMs: this.config.PROBE_INTERVAL_MS,
      writtenBy: redactUrl(this.config.ORDER_SERVICE_URL),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.stopPolling?.(), this.probes.stop()]);
  }

  snapshot(): MonitorSnapshot {
    const { database, ...latest } = this.latest;
    return {
      now: Date.now(),
      thresholdMs: this.config.PROBE_ALERT_THRESHOLD_MS,
      counters: { ...database, probesWritten: this.probes.written, probeAlerts: this.probes.alertsRaised },
      ...latest,
      probeWrites: this.probes.reading(Date.now()),
      alerts: [...this.recentAlerts],
      history: this.history.all(),
    };
  }

  /** One reading of everything; also what the tests call to read without waiting for the schedule. */
  async poll(): Promise<MonitorSnapshot> {
    const now = Date.now();
    const [{ lag, stalled }, outbox, database, { reconciliation, pendingRepairs, alert }, rules] = await Promise.all([
      this.lagWatch.read(now),
      this.outboxWatch.read(),
      this.ledger.read(),
      this.reconciliationWatch.read(now),
      this.ruleWatch.read(),
    ]);
    this.probes.committed(lag, this.rewardGroup, Date.now());
    if (alert) this.remember(alert);
    this.latest = { lag, stalled, outbox, database, reconciliation, pendingRepairs, rules };
    this.history.add(this.sample(lag, Date.now()));
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

  private remember(alert: Omit<ProbeAlert, 'thresholdMs'> | PendingRepairsAlert): void {
    this.recentAlerts.unshift({ at: Date.now(), ...alert });
    this.recentAlerts.length = Math.min(this.recentAlerts.length, RECENT_ALERTS);
  }

  private sample(lag: LagRow[], now: number): MonitorSample {
    const byGroup: MonitorSample['lag'] = {};
    for (const row of lag) {
      const partitionLag = lagOf(row);
      if (partitionLag === undefined) continue;
      const name = row.group === this.rewardGroup ? REWARD_SERVICE : OWN_READER;
      (byGroup[name] ??= {})[String(row.partition)] = partitionLag;
    }
    return { at: now, lag: byGroup, probeDelayMs: this.probes.sampleDelays(now) };
  }
}

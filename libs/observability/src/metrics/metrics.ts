import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds buckets from 5 ms to 60 s: grant latency and probe delay live in this range. */
const DELAY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Every series the system exports, in one catalogue so a dashboard author reads one file.
 * Each app owns one instance (its own registry) and fills the series it has work for; the rest
 * stay at zero. Names follow Prometheus conventions: `_total` counters, base units (seconds).
 */
export class Metrics {
  readonly registry = new Registry();

  // order-service
  readonly ordersPlaced = this.counter(
    'redpacket_orders_placed_total',
    'Orders committed (each with its outbox event)',
  );
  readonly idempotentReplays = this.counter(
    'redpacket_idempotent_replays_total',
    'POST /orders answered from a stored Idempotency-Key response',
  );

  // every service with an outbox
  readonly outboxPublished = this.counter('redpacket_outbox_published_total', 'Outbox rows published to Kafka', [
    'table',
  ]);
  readonly outboxRetried = this.counter(
    'redpacket_outbox_retried_total',
    'Outbox rows whose send failed and were rescheduled with backoff',
    ['table', 'topic'],
  );
  readonly outboxBacklog = this.gauge('redpacket_outbox_backlog', 'Unpublished outbox rows', ['table']);
  readonly outboxSendFailing = this.gauge(
    'redpacket_outbox_send_failing_seconds',
    "How long the relay's sends to Kafka have failed in a row (0 while they succeed, or while it waits to connect)",
    ['table'],
  );
  readonly outboxOldestAge = this.gauge(
    'redpacket_outbox_oldest_unpublished_age_seconds',
    'Age of the oldest unpublished outbox row (0 when none)',
    ['table'],
  );

  // reward-service
  readonly eventsConsumed = this.counter(
    'redpacket_events_consumed_total',
    'OrderPurchased events handled, by outcome',
    ['outcome'],
  );
  readonly duplicatesSkipped = this.counter(
    'redpacket_duplicates_skipped_total',
    'Deliveries recognised as already processed and skipped',
  );
  readonly optimisticRetries = this.counter(
    'redpacket_optimistic_lock_retries_total',
    'Grant transactions retried because the wallet version moved',
  );
  readonly consumerRetries = this.counter(
    'redpacket_consumer_retries_total',
    'Partition work that failed with a retriable error and was paused for a retry, by group and code',
    ['group', 'code'],
  );
  readonly consumerPartitionStuck = this.gauge(
    'redpacket_consumer_partition_stuck_seconds',
    'How long a consumed partition has been failing, once past the stuck bound (series removed on recovery)',
    ['group', 'topic', 'partition'],
  );
  readonly consumerReady = this.gauge(
    'redpacket_consumer_ready',
    '1 while the consumer is in its group with no stuck partition, else 0',
    ['group'],
  );
  readonly deadLettered = this.counter('redpacket_dead_lettered_total', 'Messages sent to the dead-letter topic', [
    'code',
  ]);
  readonly packetsGranted = this.counter('redpacket_packets_granted_total', 'Red packets granted, by source', [
    'source',
  ]);
  readonly grantLatency = this.histogram(
    'redpacket_grant_latency_seconds',
    'Order committed to packet committed (the order event occurredAt to the grant commit)',
  );

  // monitor and probes
  readonly consumerLag = this.gauge('redpacket_consumer_lag', 'Log-end offset minus committed offset', [
    'group',
    'topic',
    'partition',
  ]);
  readonly consumerPartitionStalled = this.gauge(
    'redpacket_consumer_partition_stalled_seconds',
    'How long a stalled partition has kept its committed offset still with lag behind it (no series when not stalled)',
    ['group', 'topic', 'partition'],
  );
  readonly probeDelay = this.histogram(
    'redpacket_probe_delay_seconds',
    'Probe written by the monitor to probe seen by an observer',
    ['observer', 'partition'],
  );
  readonly probeWriteFailing = this.gauge(
    'redpacket_probe_write_failing_seconds',
    "How long the monitor's probe writes have failed in a row (0 while they succeed)",
  );
  readonly probeAlerts = this.counter(
    'redpacket_probe_alerts_total',
    'Probes that arrived later than the threshold, or never arrived',
    ['observer', 'reason'],
  );

  // reconciler
  readonly reconciliationOrders = this.counter(
    'redpacket_reconciliation_orders_total',
    'Orders seen by reconciliation runs, by count (scanned, missing, eligible, reissued, ineligible, already_decided, failed, pending_retried)',
    ['count'],
  );
  readonly reconciliationDiscrepanciesFound = this.counter(
    'redpacket_reconciliation_discrepancies_found_total',
    'Discrepancies reported by reconciliation runs, by kind (orphan_packet, amount_mismatch, wallet_drift); overlapping windows may count one twice',
    ['kind'],
  );
  readonly reconciliationDiscrepancies = this.gauge(
    'redpacket_reconciliation_discrepancies',
    'Discrepancies the latest finished incremental or full reconciliation run reported, by kind (read by the monitor)',
    ['kind'],
  );
  readonly reconciliationPendingRepairs = this.gauge(
    'redpacket_reconciliation_pending_repairs',
    'Orders whose reissue failed, waiting for the next run to retry them (set by the reconciler after each finished run, and by the monitor on each poll)',
  );
  readonly reconciliationRuns = this.counter('redpacket_reconciliation_runs_total', 'Reconciliation runs, by status', [
    'status',
  ]);
  readonly retentionPurged = this.counter(
    'redpacket_retention_purged_rows_total',
    'Rows deleted by the reconciler retention (processed messages, finished reconciliation runs)',
    ['table'],
  );

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(name: string, help: string, labelNames: L[] = []): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: DELAY_BUCKETS, registers: [this.registry] });
  }
}

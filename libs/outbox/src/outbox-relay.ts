import type { LoggerService } from '@nestjs/common';
import { EVENT_HEADERS, type EventSigner } from '@redpacket/contracts';
import { failpoint } from '@redpacket/failpoints';
import { Metrics, PublishTraces } from '@redpacket/observability';
import type { OutgoingMessage } from '@redpacket/kafka';
import type { DataSource, EntityManager } from 'typeorm';
import { claimUnpublishedBatch, type OutboxRow } from './claim-unpublished-batch';
import { ClaimSize } from './claim-size';
import { IdleBackoff, retryDelayMs } from './idle-backoff';
import { OutboxListener } from './outbox-listener';
import { purgePublishedOutbox } from './purge-published';
import { sendPartitionByPartition } from './send-partition-by-partition';
import type { EventSender, OutboxLocation } from './outbox.types';

export interface OutboxRelayOptions {
  location: OutboxLocation;
  databaseUrl: string;
  /** Rows a claim asks for when there is no backlog, and the size claims shrink back to. */
  batchSize: number;
  /** The most rows a claim grows to while a backlog lasts; `batchSize` (claims never grow) when not given. */
  maxBatchSize?: number;
  /** Batches in flight at once, each in its own transaction on its own pool connection; 1 when not given. */
  pipelineDepth?: number;
  idleMinMs?: number;
  idleMaxMs?: number;
  /** Where published and retried counts go; a private registry when not given. */
  metrics?: Metrics;
  /** Signs each message (the order service's OrderPurchased): its headers prove who wrote it. */
  signer?: EventSigner;
}

export interface RelayStats {
  /** Rows marked published by batches that committed. */
  published: number;
  failedBatches: number;
  /** The most batches that were in flight at once. */
  peakInFlight: number;
}

/**
 * Publishes outbox rows to Kafka. A batch is one transaction: claim due rows key by key
 * (`claimUnpublishedBatch`), send them with the idempotent producer, mark them published, commit. A
 * crash between send and mark leaves the rows unpublished: they are sent again (a duplicate the
 * consumer absorbs), never lost. A failed send records the error and reschedules the rows with backoff.
 *
 * Batches are pipelined while a backlog lasts: up to `pipelineDepth` are in flight at once, so while one
 * waits for Kafka's acknowledgement the next is being claimed and the one before is marking its rows and
 * committing. Without a backlog (a claim took every row there was) one batch is in flight, as a
 * second would only take the odd row that committed meanwhile, at the cost of a transaction. The
 * producer still sends one request at a time (kafkajs #598); what overlaps is the database work around
 * the sends. Per-key order holds for the reason it holds between two relays: a batch keeps its keys'
 * head rows locked until it commits, so a concurrent claim skips those keys and takes their next rows only
 * once the batch has committed, after Kafka acknowledged it.
 */
export class OutboxRelay {
  readonly stats: RelayStats = { published: 0, failedBatches: 0, peakInFlight: 0 };
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A NOTIFY arrived since the last claim started: the next idle wait returns at once. */
  private notified = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** The last claim came back as large as it was allowed to be: more rows are waiting. */
  private backlogLeft = false;
  /** Batches that failed after their claim, in a row: the loop backs off 0.5 s, 1 s, … 10 s before the next. */
  private failuresInARow = 0;
  private failuresWaitedFor = 0;
  private stopping: (() => void) | undefined;
  private readonly depth: number;
  private readonly claimSize: ClaimSize;
  private readonly backoff: IdleBackoff;
  private readonly listener: OutboxListener;
  private readonly metrics: Metrics;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: EventSender,
    private readonly options: OutboxRelayOptions,
    private readonly logger: LoggerService,
  ) {
    this.depth = options.pipelineDepth ?? 1;
    this.claimSize = new ClaimSize(options.batchSize, options.maxBatchSize ?? options.batchSize);
    this.metrics = options.metrics ?? new Metrics();
    this.backoff = new IdleBackoff(options.idleMinMs ?? 10, options.idleMaxMs ?? 100);
    this.listener = new OutboxListener(options.databaseUrl, options.location.channel, () => this.notify(), logger);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listener.start();
    this.loop = this.run();
  }

  /** Finishes the batches in hand (each sent is marked published), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.stopping?.();
    await this.loop;
    await this.listener.stop();
  }

  /**
   * Claims and publishes one batch; returns how many rows were published. `onClaimed` hears how many
   * rows were claimed, before they are sent. Rows are sent one topic at a time and a topic that fails
   * only reschedules its own rows: a missing or unwritable topic never holds back the events of the others.
   */
  async publishBatch(onClaimed: (rows: number) => void = () => undefined): Promise<number> {
    const published = await this.dataSource.transaction(async (manager) => {
      const rows = await this.claim(manager);
      if (rows.length === 0) return 0;
      onClaimed(rows.length);
      const sent = await this.sendByTopic(manager, rows);
      if (sent.length === 0) return 0;
      await failpoint('outbox-relay.after-send');
      // clock_timestamp(): when Kafka acknowledged the rows, not when this transaction claimed them.
      await manager.query(
        `UPDATE ${this.options.location.table} SET published_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY($1)`,
        [sent.map((row) => row.id)],
      );
      return sent.length;
    });
    // Counted once committed: a batch whose commit fails is sent again, and counted then.
    if (published > 0) {
      this.stats.published += published;
      this.metrics.outboxPublished.inc({ table: this.options.location.table }, published);
    }
    return published;
  }

  /** Deletes published rows older than the retention, a small batch at a time. */
  purgePublished(olderThanSeconds: number, batchSize = 1_000): Promise<number> {
    return purgePublishedOutbox(this.dataSource, this.options.location.table, olderThanSeconds, batchSize);
  }

  /**
   * Starts a batch, and another as soon as its claim came back with rows, up to `pipelineDepth` in flight.
   * A claim that finds nothing waits for a reason to look again, so an idle relay runs one claim per
   * backoff delay however deep its pipeline.
   */
  private async run(): Promise<void> {
    while (this.running) {
      if (this.failuresInARow > this.failuresWaitedFor) {
        this.failuresWaitedFor = this.failuresInARow;
        await this.pauseAfterFailure(retryDelayMs(this.failuresInARow));
        continue;
      }
      if (this.inFlight.size >= this.depth) {
        await Promise.race(this.inFlight);
        continue;
      }
      this.notified = false;
      const claimed = await this.startBatch();
      if (claimed === 0) {
        await this.idle();
        continue;
      }
      this.backoff.reset();
      // Only a backlog is worth a second batch in flight. A claim that took all there was lets its batch
      // finish first, and the next claim gathers whatever committed meanwhile into one batch: at a steady
      // moderate load that is fewer, larger transactions, and less of the CPU the orders themselves need.
      if (!this.backlogLeft && this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
    await Promise.all(this.inFlight);
  }

  /**
   * Runs one batch in the background. Resolves with how many rows it claimed as soon as its claim is
   * done; a batch that claimed nothing (or failed first) resolves with 0 only once it is over, so the
   * wait that follows cannot end on it.
   */
  private startBatch(): Promise<number> {
    let claimed: (rows: number) => void = () => undefined;
    const claim = new Promise<number>((resolve) => (claimed = resolve));
    const batch = this.publishOrLog(claimed).finally(() => {
      this.inFlight.delete(batch);
      claimed(0);
    });
    this.inFlight.add(batch);
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.inFlight.size);
    return claim;
  }

  /** A failed batch leaves its rows unpublished for a later claim; the relay goes on. */
  private async publishOrLog(onClaimed: (rows: number) => void): Promise<void> {
    try {
      await this.publishBatch(onClaimed);
      this.failuresInARow = 0;
      this.failuresWaitedFor = 0;
    } catch (error) {
      // A mark or a commit that fails (a read-only database after a failover, a full disk) would fail
      // again at once: the next claim waits out the backoff rather than resending the rows in a loop.
      this.failuresInARow += 1;
      this.logger.error('outbox relay batch failed; its rows stay unpublished and are claimed again', {
        table: this.options.location.table,
        failuresInARow: this.failuresInARow,
        retryInMs: retryDelayMs(this.failuresInARow),
        error: (error as Error).message,
      });
    }
  }

  /** Waits out the backoff after a failed batch; a NOTIFY does not end it, only `stop()` does. */
  private pauseAfterFailure(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.stopping = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** A commit wrote outbox rows. Remembered when it comes mid-claim, so no wake-up is lost. */
  private notify(): void {
    this.notified = true;
    this.backoff.reset();
    this.wake?.();
  }

  /**
   * Nothing was claimable. Waits for a NOTIFY, or for a batch in flight to end (its keys' next rows
   * become claimable), or for the backoff delay, whichever comes first.
   */
  private idle(): Promise<void> {
    if (this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      // The timer too while batches are in flight: a row whose backoff ends is found even if the NOTIFY
      // connection is down and a batch sits in the producer's retries.
      const timer = setTimeout(done, this.backoff.next());
      for (const batch of this.inFlight) void batch.then(done);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Claims a batch of the size the backlog calls for. */
  private async claim(manager: EntityManager): Promise<OutboxRow[]> {
    const rows = this.claimSize.current;
    const claimed = await claimUnpublishedBatch(manager, this.options.location.table, { rows });
    this.claimSize.record(claimed.length);
    // A claim that came back full leaves rows behind.
    this.backlogLeft = claimed.length >= rows;
    return claimed;
  }

  /**
   * Sends the rows topic by topic, and within a topic partition by partition once a send fails (see
   * `sendPartitionByPartition`); returns those Kafka acknowledged, having rescheduled the others.
   */
  private async sendByTopic(manager: EntityManager, rows: OutboxRow[]): Promise<OutboxRow[]> {
    const sent: OutboxRow[] = [];
    for (const [topic, topicRows] of groupByTopic(rows)) {
      const traces = new PublishTraces(
        topic,
        topicRows.map((row) => ({
          messageId: row.event_id,
          traceparent: row.trace_context,
          attributes: { 'outbox.attempts': row.attempts },
        })),
      );
      const messages = topicRows.map((row, index) =>
        toKafkaMessage(row, this.options.signer, traces.traceparent(index)),
      );
      const { acknowledged, error } = await traces.acknowledged(() =>
        sendPartitionByPartition(this.sender, topic, messages),
      );
      sent.push(...topicRows.filter((_, index) => acknowledged[index]));
      const failed = topicRows.filter((_, index) => !acknowledged[index]);
      if (failed.length > 0) await this.recordFailure(manager, topic, failed, error ?? new Error('not acknowledged'));
    }
    return sent;
  }

  private async recordFailure(manager: EntityManager, topic: string, rows: OutboxRow[], error: Error): Promise<void> {
    this.stats.failedBatches += 1;
    this.metrics.outboxRetried.inc({ table: this.options.location.table, topic }, rows.length);
    const attempts = Math.max(...rows.map((row) => row.attempts)) + 1;
    const delayMs = retryDelayMs(attempts);
    this.logger.warn?.('outbox publish failed; rows stay unpublished and will be retried', {
      topic,
      rows: rows.length,
      attempts,
      retryInMs: delayMs,
      error: error.message,
    });
    // clock_timestamp(), not now(): the backoff counts from the failure, not from the claim before a slow send.
    await manager.query(
      `UPDATE ${this.options.location.table}
          SET attempts = attempts + 1, last_error = $2, next_attempt_at = clock_timestamp() + make_interval(secs => $3)
        WHERE id = ANY($1)`,
      [rows.map((row) => row.id), error.message.slice(0, 1_000), delayMs / 1_000],
    );
  }
}

function groupByTopic(rows: OutboxRow[]): Map<string, OutboxRow[]> {
  const groups = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const group = groups.get(row.topic);
    if (group) group.push(row);
    else groups.set(row.topic, [row]);
  }
  return groups;
}

/** The row as a Kafka message: its payload, its headers, its publish span's context and its signature. */
function toKafkaMessage(
  row: OutboxRow,
  signer: EventSigner | undefined,
  traceparent: string | undefined,
): OutgoingMessage {
  const message = {
    key: row.message_key,
    value: JSON.stringify(row.payload),
    headers: {
      [EVENT_HEADERS.eventId]: row.event_id,
      [EVENT_HEADERS.eventType]: row.event_type,
      [EVENT_HEADERS.schemaVersion]: String(row.schema_version),
      ...(traceparent ? { [EVENT_HEADERS.traceparent]: traceparent } : {}),
    },
  };
  if (signer) Object.assign(message.headers, signer.headersFor(message));
  return message;
}

import type { LoggerService } from '@nestjs/common';
import { EVENT_HEADERS, type EventSigner } from '@redpacket/contracts';
import { failpoint } from '@redpacket/failpoints';
import { type Metrics, PublishTraces } from '@redpacket/observability';
import type { OutgoingMessage } from '@redpacket/kafka';
import type { DataSource, EntityManager } from 'typeorm';
import { claimUnpublishedBatch, type OutboxRow } from './claim-unpublished-batch';
import { ClaimSize } from './claim-size';
import { retryDelayMs } from './idle-backoff';
import { purgePublishedOutbox } from './purge-published';
import { sendPartitionByPartition } from './send-partition-by-partition';
import type { EventSender, OutboxLocation } from './outbox.types';

export interface RelayStats {
  /** Rows marked published by batches that committed. */
  published: number;
  failedBatches: number;
  /** The most batches that were in flight at once. */
  peakInFlight: number;
}

export interface OutboxBatchOptions {
  location: OutboxLocation;
  /** Rows a claim asks for when there is no backlog, and the size claims shrink back to. */
  batchSize: number;
  /** The most rows a claim grows to while a backlog lasts; `batchSize` (claims never grow) when not given. */
  maxBatchSize?: number;
  /** Signs each message (the order service's OrderPurchased): its headers prove who wrote it. */
  signer?: EventSigner;
}

/**
 * One relay batch, one transaction: claim due rows key by key (`claimUnpublishedBatch`), send them with
 * the idempotent producer, mark those Kafka acknowledged published, reschedule the others with backoff,
 * commit. A crash between send and mark leaves the rows unpublished: they are sent again (a duplicate
 * the consumer absorbs), never lost. `OutboxRelay` decides when batches run.
 */
export class OutboxBatches {
  /** The last claim came back as large as it was allowed to be: more rows are waiting. */
  backlogLeft = false;
  private readonly claimSize: ClaimSize;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: EventSender,
    private readonly options: OutboxBatchOptions,
    private readonly logger: LoggerService,
    private readonly metrics: Metrics,
    readonly stats: RelayStats,
  ) {
    this.claimSize = new ClaimSize(options.batchSize, options.maxBatchSize ?? options.batchSize);
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

import type { LoggerService } from '@nestjs/common';
import { EVENT_HEADERS } from '@redpacket/contracts';
import { failpoint } from '@redpacket/failpoints';
import { Metrics } from '@redpacket/observability';
import type { Message } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { IdleBackoff, retryDelayMs } from './idle-backoff';
import { OutboxListener } from './outbox-listener';
import { purgePublishedOutbox } from './purge-published';
import type { OutboxLocation } from './outbox.types';

export interface EventSender {
  send(topic: string, messages: Message[]): Promise<unknown>;
}

export interface OutboxRelayOptions {
  location: OutboxLocation;
  databaseUrl: string;
  batchSize: number;
  idleMinMs?: number;
  idleMaxMs?: number;
  /** Where published and retried counts go; a private registry when not given. */
  metrics?: Metrics;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  event_type: string;
  schema_version: number;
  payload: object;
  attempts: number;
}

export interface RelayStats {
  published: number;
  failedBatches: number;
}

/** How many of the oldest unpublished rows, per row of a batch, the claim looks at for ready keys. */
const CANDIDATE_ROWS_PER_BATCH_ROW = 10;
/** Advisory locks one claim may hold: Postgres's shared lock table has room for a few thousand. */
const MAX_KEYS_PER_CLAIM = 1_000;

/**
 * Publishes outbox rows to Kafka: claim a batch (FOR UPDATE SKIP LOCKED, so several relays share
 * the work), send it with the idempotent producer, mark it published, commit. A crash between send
 * and mark leaves the rows unpublished: they are sent again (a duplicate the consumer absorbs),
 * never lost. A failed send records the error and reschedules the rows with backoff.
 */
export class OutboxRelay {
  readonly stats: RelayStats = { published: 0, failedBatches: 0 };
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A NOTIFY arrived since the last batch started: the next idle wait returns at once. */
  private notified = false;
  private readonly backoff: IdleBackoff;
  private readonly listener: OutboxListener;
  private readonly metrics: Metrics;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: EventSender,
    private readonly options: OutboxRelayOptions,
    private readonly logger: LoggerService,
  ) {
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

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener.stop();
  }

  /**
   * Claims and publishes one batch; returns how many rows were published. Rows are sent one topic
   * at a time and a topic that fails only reschedules its own rows: a missing or unwritable topic
   * never holds back the events of the others.
   */
  publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.claimUnpublishedBatch(manager);
      if (rows.length === 0) return 0;
      const sent: OutboxRow[] = [];
      for (const [topic, topicRows] of groupByTopic(rows)) {
        try {
          await this.sender.send(topic, topicRows.map(toKafkaMessage));
          sent.push(...topicRows);
        } catch (error) {
          await this.recordFailure(manager, topic, topicRows, error as Error);
        }
      }
      if (sent.length === 0) return 0;
      await failpoint('outbox-relay.after-send');
      // clock_timestamp(): when Kafka acknowledged the rows, not when this transaction claimed them.
      await manager.query(
        `UPDATE ${this.options.location.table} SET published_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY($1)`,
        [sent.map((row) => row.id)],
      );
      this.stats.published += sent.length;
      this.metrics.outboxPublished.inc({ table: this.options.location.table }, sent.length);
      return sent.length;
    });
  }

  /** Deletes published rows older than the retention, a small batch at a time. */
  purgePublished(olderThanSeconds: number, batchSize = 1_000): Promise<number> {
    return purgePublishedOutbox(this.dataSource, this.options.location.table, olderThanSeconds, batchSize);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      this.notified = false;
      try {
        published = await this.publishBatch();
      } catch (error) {
        this.logger.error('outbox relay iteration failed', { error: (error as Error).message });
      }
      if (published > 0) {
        this.backoff.reset();
        continue;
      }
      await this.idle(this.backoff.next());
    }
  }

  /** A commit wrote outbox rows. Remembered when it comes mid-batch, so no wake-up is lost. */
  private notify(): void {
    this.notified = true;
    this.backoff.reset();
    this.wake?.();
  }

  /** Waits for a NOTIFY or the backoff delay, whichever comes first. */
  private idle(ms: number): Promise<void> {
    if (this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /**
   * Claims up to a batch of due rows, oldest first, without ever letting an event overtake an earlier
   * one of its key (its user). Two statements, because the second must see what the first waited for:
   * 1. among the keys of the oldest unpublished rows, oldest first, lock the ones that are ready: the
   *    key's earliest unpublished row is due (not in backoff). The lock (`pg_try_advisory_xact_lock`,
   *    held to the end of this transaction) makes a second relay skip the key and take the next ones;
   * 2. with a fresh snapshot, taken after those locks, read each locked key's unpublished rows in order,
   *    up to its first row in backoff. A relay that held the key and committed meanwhile has marked its
   *    rows published or rescheduled them, and this read sees it.
   */
  private async claimUnpublishedBatch(manager: EntityManager): Promise<OutboxRow[]> {
    const table = this.options.location.table;
    const batchSize = this.options.batchSize;
    const keys = await manager.query<{ topic: string; message_key: string }[]>(
      // MATERIALIZED: the lock must be tried key by key in the order of their oldest row, and only until
      // enough are held; a plain subquery lets the planner try it on every key before sorting.
      `WITH ready AS MATERIALIZED (
         SELECT topic, message_key, min(id) AS head
           FROM (SELECT id, topic, message_key, next_attempt_at
                   FROM ${table}
                  WHERE published_at IS NULL
                  ORDER BY id
                  LIMIT $1) oldest
          GROUP BY topic, message_key
         HAVING min(id) FILTER (WHERE next_attempt_at > now()) IS DISTINCT FROM min(id)
          ORDER BY head
       )
       SELECT topic, message_key
         FROM ready
        WHERE pg_try_advisory_xact_lock(hashtextextended($2 || topic || chr(31) || message_key, 0))
        LIMIT $3`,
      [
        batchSize * CANDIDATE_ROWS_PER_BATCH_ROW,
        `${table}${String.fromCharCode(31)}`,
        Math.min(batchSize, MAX_KEYS_PER_CLAIM),
      ],
    );
    if (keys.length === 0) return [];
    return manager.query(
      `WITH locked AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(topic, message_key)),
       pending AS (
         SELECT o.id, o.event_id, o.topic, o.message_key, o.event_type, o.schema_version, o.payload, o.attempts,
                min(o.id) FILTER (WHERE o.next_attempt_at > now()) OVER (PARTITION BY o.topic, o.message_key) AS waits_from
           FROM ${table} o
           JOIN locked k ON k.topic = o.topic AND k.message_key = o.message_key
          WHERE o.published_at IS NULL
       )
       SELECT id, event_id, topic, message_key, event_type, schema_version, payload, attempts
         FROM pending
        WHERE waits_from IS NULL OR id < waits_from
        ORDER BY id
        LIMIT $3`,
      [keys.map((key) => key.topic), keys.map((key) => key.message_key), batchSize],
    );
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
  for (const row of rows) groups.set(row.topic, [...(groups.get(row.topic) ?? []), row]);
  return groups;
}

function toKafkaMessage(row: OutboxRow): Message {
  return {
    key: row.message_key,
    value: JSON.stringify(row.payload),
    headers: {
      [EVENT_HEADERS.eventId]: row.event_id,
      [EVENT_HEADERS.eventType]: row.event_type,
      [EVENT_HEADERS.schemaVersion]: String(row.schema_version),
    },
  };
}

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
   * one of its key (its user):
   * - a key whose earliest unpublished row is in backoff waits, whole: none of its rows is claimed;
   * - of the other keys, the rows before the first one in backoff are claimed;
   * - a key is claimed only under its transaction lock (`pg_try_advisory_xact_lock`), so a second relay
   *   skips the keys the first one holds instead of sending their later rows ahead.
   */
  private claimUnpublishedBatch(manager: EntityManager): Promise<OutboxRow[]> {
    const table = this.options.location.table;
    return manager.query(
      `WITH candidates AS MATERIALIZED (
         SELECT id, topic, message_key
           FROM ${table}
          WHERE published_at IS NULL AND next_attempt_at <= now()
          ORDER BY id
          LIMIT $1
       ), keys AS (
         SELECT c.topic, c.message_key, min(c.id) AS first_id,
                (SELECT min(r.id) FROM ${table} r
                  WHERE r.published_at IS NULL AND r.next_attempt_at > now()
                    AND r.topic = c.topic AND r.message_key = c.message_key) AS waits_from
           FROM candidates c
          GROUP BY c.topic, c.message_key
       ), claimed_keys AS MATERIALIZED (
         SELECT topic, message_key, waits_from
           FROM keys
          WHERE CASE WHEN waits_from IS NULL OR waits_from > first_id
                     THEN pg_try_advisory_xact_lock(hashtextextended($2 || topic || chr(31) || message_key, 0))
                     ELSE false END
       )
       SELECT o.id, o.event_id, o.topic, o.message_key, o.event_type, o.schema_version, o.payload, o.attempts
         FROM candidates c
         JOIN claimed_keys k ON k.topic = c.topic AND k.message_key = c.message_key
         JOIN ${table} o ON o.id = c.id
        WHERE k.waits_from IS NULL OR c.id < k.waits_from
        ORDER BY o.id
          FOR UPDATE OF o`,
      [this.options.batchSize, `${table}${String.fromCharCode(31)}`],
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

import { deleteInBatches } from '@redpacket/database';
import type { DataSource, EntityManager } from 'typeorm';

/** Where a service keeps its inbox: `<schema>.processed_messages`. */
export interface InboxLocation {
  table: string;
  /** The table's own name, as an upsert refers to its existing row. */
  name: string;
}

export function inboxLocation(schema: string): InboxLocation {
  return { table: `${schema}.processed_messages`, name: 'processed_messages' };
}

/** One delivery of an event: the partition and offset it was read at. */
export interface Delivery {
  partition: number;
  offset: string;
}

/**
 * The inbox: the events a consumer group has processed, one row per (group, event id), written in the
 * same transaction as the work the event caused. A redelivered event finds its row and causes nothing
 * again; it only counts one more delivery. The outbox's twin: any service that consumes events can keep
 * one, in its own schema (`inboxLocation`).
 */
export class Inbox {
  constructor(private readonly location: InboxLocation) {}

  /**
   * Records the event as processed by the group, with where it was read; false when it already was (a
   * redelivery), which only adds one to the row's delivery count.
   */
  async markProcessed(
    manager: EntityManager,
    consumerGroup: string,
    eventId: string,
    delivery?: Delivery,
  ): Promise<boolean> {
    const [row] = await manager.query<{ first: boolean }[]>(
      `INSERT INTO ${this.location.table} (consumer_group, event_id, kafka_partition, kafka_offset)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (consumer_group, event_id) DO UPDATE
          SET deliveries = ${this.location.name}.deliveries + 1, last_delivered_at = now()
       RETURNING deliveries = 1 AS first`,
      [consumerGroup, eventId, delivery?.partition ?? null, delivery?.offset ?? null],
    );
    return row.first;
  }

  /**
   * Records several events in one statement; returns the ids recorded now, lower-case (the others were
   * processed before). Sorted, like the packets, so concurrent batches lock the keys in one order.
   * Ids must be distinct.
   */
  async markManyProcessed(
    manager: EntityManager,
    consumerGroup: string,
    events: { eventId: string; delivery?: Delivery }[],
  ): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await manager.query<{ event_id: string; first: boolean }[]>(
      `INSERT INTO ${this.location.table} (consumer_group, event_id, kafka_partition, kafka_offset)
       SELECT $1::text, event_id, kafka_partition, kafka_offset
         FROM unnest($2::uuid[], $3::int[], $4::bigint[]) AS e(event_id, kafka_partition, kafka_offset)
        ORDER BY event_id
       ON CONFLICT (consumer_group, event_id) DO UPDATE
          SET deliveries = ${this.location.name}.deliveries + 1, last_delivered_at = now()
       RETURNING event_id, deliveries = 1 AS first`,
      [
        consumerGroup,
        events.map((e) => e.eventId),
        events.map((e) => e.delivery?.partition ?? null),
        events.map((e) => e.delivery?.offset ?? null),
      ],
    );
    return new Set(rows.filter((row) => row.first).map((row) => row.event_id));
  }

  /** Adds deliveries to events already recorded: a message that came twice in one batch counts twice. */
  async countRedeliveries(manager: EntityManager, consumerGroup: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await manager.query(
      `UPDATE ${this.location.table} p
          SET deliveries = p.deliveries + r.repeats, last_delivered_at = now()
         FROM (SELECT event_id, count(*) AS repeats FROM unnest($2::uuid[]) AS e(event_id) GROUP BY event_id) r
        WHERE p.consumer_group = $1 AND p.event_id = r.event_id`,
      [consumerGroup, eventIds],
    );
  }

  async wasProcessed(manager: EntityManager, consumerGroup: string, eventId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM ${this.location.table} WHERE consumer_group = $1 AND event_id = $2`,
      [consumerGroup, eventId],
    );
    return rows.length === 1;
  }
}

/**
 * Deletes the inbox's rows older than the dedup window, a small batch at a time: the twin of
 * `purgePublishedOutbox`. The window must outlast the topic's retention, or a replayed event whose row is
 * gone would cause its work again; the caller checks that first.
 */
export function purgeInbox(
  db: DataSource | EntityManager,
  location: InboxLocation,
  olderThanHours: number,
  batchSize = 1_000,
): Promise<number> {
  return deleteInBatches(
    db,
    `DELETE FROM ${location.table} WHERE (consumer_group, event_id) IN (
       SELECT consumer_group, event_id FROM ${location.table}
        WHERE processed_at < now() - make_interval(hours => $1) LIMIT $2)`,
    [olderThanHours],
    batchSize,
  );
}

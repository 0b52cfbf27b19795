import type { TransactionRunner } from '@redpacket/database';
import { traceparentOf } from '@redpacket/observability';
import type { OutboxEvent, OutboxLocation } from './outbox.types';

/**
 * Appends events to the outbox inside the caller's transaction: the event exists if and only if
 * the business change committed. The NOTIFY is transactional too, so the relay wakes at commit. Each
 * row keeps its event's trace context (the event's own, or the active span's), so the relay's send joins
 * the trace of the work that wrote it.
 */
export class OutboxWriter {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly location: OutboxLocation,
  ) {}

  /** One INSERT however many events; rows keep the order given, which is the order the relay publishes in. */
  async append(...events: OutboxEvent[]): Promise<void> {
    const manager = this.transactions.requireTransaction();
    if (events.length === 0) return;
    const column = <T>(pick: (event: OutboxEvent) => T) => events.map(pick);
    await manager.query(
      `INSERT INTO ${this.location.table} (event_id, topic, message_key, event_type, schema_version, payload, trace_context)
       SELECT event_id, topic, message_key, event_type, schema_version, payload::jsonb, trace_context
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[])
              WITH ORDINALITY AS e(event_id, topic, message_key, event_type, schema_version, payload, trace_context, position)
        ORDER BY position`,
      [
        column((e) => e.eventId),
        column((e) => e.topic),
        column((e) => e.key),
        column((e) => e.eventType),
        column((e) => e.schemaVersion),
        column((e) => JSON.stringify(e.payload)),
        column((e) => e.traceContext ?? traceparentOf() ?? null),
      ],
    );
    await manager.query('SELECT pg_notify($1, $2)', [this.location.channel, '']);
  }
}

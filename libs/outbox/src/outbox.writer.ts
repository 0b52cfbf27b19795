import type { TransactionRunner } from '@redpacket/database';
import type { OutboxEvent, OutboxLocation } from './outbox.types';

/**
 * Appends events to the outbox inside the caller's transaction: the event exists if and only if
 * the business change committed. The NOTIFY is transactional too, so the relay wakes at commit.
 */
export class OutboxWriter {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly location: OutboxLocation,
  ) {}

  async append(...events: OutboxEvent[]): Promise<void> {
    const manager = this.transactions.requireTransaction();
    for (const event of events) {
      await manager.query(
        `INSERT INTO ${this.location.table} (event_id, topic, message_key, event_type, schema_version, payload)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [event.eventId, event.topic, event.key, event.eventType, event.schemaVersion, JSON.stringify(event.payload)],
      );
    }
    await manager.query('SELECT pg_notify($1, $2)', [this.location.channel, '']);
  }
}

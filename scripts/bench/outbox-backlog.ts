import type { DataSource } from 'typeorm';

/** N valid OrderPurchased v1 rows, as the order service would have written them, over 1,000 users. */
export async function insertOutboxBacklog(dataSource: DataSource, topic: string, events: number): Promise<void> {
  await dataSource.query(
    `INSERT INTO ordering.outbox (event_id, topic, message_key, event_type, schema_version, payload)
     SELECT e.event_id, $1, e.user_id, 'OrderPurchased', 1,
            jsonb_build_object('eventId', e.event_id, 'orderId', gen_random_uuid(), 'userId', e.user_id,
                               'itemCount', 3, 'totalCents', 3750, 'occurredAt', now())
       FROM (SELECT gen_random_uuid() AS event_id, 'bench-u' || (i % 1000) AS user_id
               FROM generate_series(1, $2) AS i) e`,
    [topic, events],
  );
}

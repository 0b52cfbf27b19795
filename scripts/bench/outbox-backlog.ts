import type { DataSource } from 'typeorm';

/**
 * N valid OrderPurchased v1 rows, as the order service would have written them, over 1,000 users
 * (user `bench-u<i % 1000>` for i from `firstUser`), in one statement and so one transaction. With
 * `notify`, the same statement wakes that channel's relay, as the order service's transaction does.
 */
export async function insertOutboxBacklog(
  dataSource: DataSource,
  topic: string,
  events: number,
  options: { firstUser?: number; notify?: string } = {},
): Promise<void> {
  await dataSource.query(
    `WITH inserted AS (
       INSERT INTO ordering.outbox (event_id, topic, message_key, event_type, schema_version, payload)
       SELECT e.event_id, $1, e.user_id, 'OrderPurchased', 1,
              jsonb_build_object('eventId', e.event_id, 'orderId', gen_random_uuid(), 'userId', e.user_id,
                                 'itemCount', 3, 'totalCents', 3750, 'occurredAt', now())
         FROM (SELECT gen_random_uuid() AS event_id, 'bench-u' || (i % 1000) AS user_id
                 FROM generate_series($3::int, $3::int + $2::int - 1) AS i) e
       RETURNING 1
     )
     SELECT pg_notify($4::text, '') WHERE $4::text IS NOT NULL AND EXISTS (SELECT 1 FROM inserted)`,
    [topic, events, options.firstUser ?? 1, options.notify ?? null],
  );
}

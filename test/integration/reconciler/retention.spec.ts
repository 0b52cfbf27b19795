import { randomUUID } from 'node:crypto';
import { ConfigValidationError } from '@redpacket/config';
import { newEventId } from '@redpacket/contracts';
import type { DataSource } from 'typeorm';
import { testNamespace } from '../../support/namespace';
import { type ReconcilerUnderTest, startReconciler } from '../../support/reconciler.harness';

async function insertProcessed(dataSource: DataSource, group: string, ageHours: number, count: number): Promise<void> {
  await dataSource.query(
    `INSERT INTO rewards.processed_messages (consumer_group, event_id, processed_at)
     SELECT $1, id::uuid, now() - make_interval(hours => $2) FROM unnest($3::text[]) AS id`,
    [group, ageHours, Array.from({ length: count }, () => newEventId())],
  );
}

async function processedCount(dataSource: DataSource, group: string): Promise<number> {
  const [row] = await dataSource.query<{ n: string }[]>(
    'SELECT count(*) AS n FROM rewards.processed_messages WHERE consumer_group = $1',
    [group],
  );
  return Number(row.n);
}

async function insertOutboxRow(dataSource: DataSource, publishedHoursAgo: number | null): Promise<string> {
  const eventId = newEventId();
  await dataSource.query(
    `INSERT INTO ordering.outbox (event_id, topic, message_key, event_type, schema_version, payload, published_at)
     VALUES ($1, 'retention-test', 'k', 'Test', 1, '{}', CASE WHEN $2::int IS NULL THEN NULL ELSE now() - make_interval(hours => $2::int) END)`,
    [eventId, publishedHoursAgo],
  );
  return eventId;
}

describe('retention of the dedup and buffer tables', () => {
  const namespace = testNamespace(__filename);
  let reconciler: ReconcilerUnderTest;

  beforeAll(async () => {
    reconciler = await startReconciler({
      KAFKA_NAMESPACE: namespace,
      PROCESSED_MESSAGES_RETENTION_HOURS: String(8 * 24),
      OUTBOX_RETENTION_SECONDS: '3600',
      RETENTION_BATCH_SIZE: '3',
    });
  });
  afterAll(() => reconciler.close());

  it('deletes only processed-message ids older than the window, in batches', async () => {
    const group = `retention-${randomUUID()}`;
    await insertProcessed(reconciler.dataSource, group, 9 * 24, 7); // outside the 8-day window
    await insertProcessed(reconciler.dataSource, group, 7 * 24, 4); // inside it

    const report = await reconciler.retention.purge();

    expect(report.processedMessages).toBeGreaterThanOrEqual(7);
    expect(await processedCount(reconciler.dataSource, group)).toBe(4);
  });

  it('deletes published outbox rows past their retention and keeps unpublished ones whatever their age', async () => {
    const old = await insertOutboxRow(reconciler.dataSource, 2);
    const recent = await insertOutboxRow(reconciler.dataSource, 0);
    const unpublished = await insertOutboxRow(reconciler.dataSource, null);
    await reconciler.dataSource.query(
      `UPDATE ordering.outbox SET created_at = now() - interval '30 days' WHERE event_id = $1`,
      [unpublished],
    );

    await reconciler.retention.purge();

    const left = await reconciler.dataSource.query<{ event_id: string }[]>(
      'SELECT event_id FROM ordering.outbox WHERE event_id = ANY($1)',
      [[old, recent, unpublished]],
    );
    expect(left.map((r) => r.event_id).sort()).toEqual([recent, unpublished].sort());
  });

  it('deletes expired idempotency keys and keeps live ones', async () => {
    const [expired, live] = [`expired-${randomUUID()}`, `live-${randomUUID()}`];
    await reconciler.dataSource.query(
      `INSERT INTO ordering.idempotency_keys (idempotency_key, request_hash, response_status, response_body, expires_at)
       VALUES ($1, 'h', 201, '{}', now() - interval '1 minute'), ($2, 'h', 201, '{}', now() + interval '1 day')`,
      [expired, live],
    );
    await reconciler.retention.purge();
    const left = await reconciler.dataSource.query<{ idempotency_key: string }[]>(
      'SELECT idempotency_key FROM ordering.idempotency_keys WHERE idempotency_key = ANY($1)',
      [[expired, live]],
    );
    expect(left.map((r) => r.idempotency_key)).toEqual([live]);
  });

  it('refuses to boot with a dedup window shorter than the topic retention plus the margin', async () => {
    const boot = startReconciler({ KAFKA_NAMESPACE: namespace, PROCESSED_MESSAGES_RETENTION_HOURS: '24' });
    await expect(boot).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(boot).rejects.toThrow(
      /PROCESSED_MESSAGES_RETENTION_HOURS: 24 h is shorter than .*retention \(168 h\)/,
    );
  });
});

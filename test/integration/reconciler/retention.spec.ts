import { randomUUID } from 'node:crypto';
import { ConfigValidationError } from '@redpacket/config';
import { newEventId } from '@redpacket/contracts';
import type { DataSource } from 'typeorm';
import { testNamespace } from '../../../testkit/support/namespace';
import { type ReconcilerUnderTest, startReconciler } from '../../../testkit/support/reconciler.harness';

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

describe("the reconciler's retention: the dedup window and its own run reports", () => {
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
    await insertProcessed(reconciler.owner, group, 9 * 24, 7); // outside the 8-day window
    await insertProcessed(reconciler.owner, group, 7 * 24, 4); // inside it

    const report = await reconciler.retention.purge();

    expect(report.processedMessages).toBeGreaterThanOrEqual(7);
    expect(await processedCount(reconciler.dataSource, group)).toBe(4);
  });

  it('deletes finished runs past their retention, but never the one holding the high-water mark', async () => {
    const runIds = Array.from({ length: 3 }, () => newEventId());
    // Two real incremental runs of long ago (the later holds the mark) and one from yesterday.
    await reconciler.owner.query(
      `INSERT INTO reconciliation.runs (run_id, trigger, scan, window_since, window_until, dry_run, status, started_at, finished_at)
       VALUES ($1, 'schedule', 'incremental', NULL, '2999-01-01', false, 'succeeded', now() - interval '40 days', now() - interval '40 days'),
              ($2, 'schedule', 'incremental', NULL, '2000-01-01', false, 'succeeded', now() - interval '40 days', now() - interval '40 days'),
              ($3, 'cli', 'window', NULL, now(), false, 'succeeded', now() - interval '1 day', now() - interval '1 day')`,
      runIds,
    );
    try {
      const report = await reconciler.retention.purge();

      expect(report.reconciliationRuns).toBeGreaterThanOrEqual(1);
      const left = await reconciler.dataSource.query<{ run_id: string }[]>(
        'SELECT run_id FROM reconciliation.runs WHERE run_id = ANY($1)',
        [runIds],
      );
      expect(left.map((r) => r.run_id).sort()).toEqual([runIds[0], runIds[2]].sort());
    } finally {
      await reconciler.owner.query('DELETE FROM reconciliation.runs WHERE run_id = ANY($1)', [runIds]);
    }
  });

  it('connects as its own role, which reads the ordering view and is refused every write it must not make', async () => {
    const [{ who }] = await reconciler.dataSource.query<{ who: string }[]>('SELECT current_user AS who');
    expect(who).toBe('redpacket_reconciler');
    await expect(
      reconciler.dataSource.query('SELECT count(*) FROM ordering.orders_for_reconciliation'),
    ).resolves.toEqual([{ count: expect.any(String) }]);
    for (const refused of [
      'SELECT count(*) FROM ordering.orders',
      'DELETE FROM ordering.orders',
      'DELETE FROM ordering.outbox',
      'DELETE FROM ordering.idempotency_keys',
      'UPDATE rewards.red_packets SET amount_cents = amount_cents + 1',
      'DELETE FROM rewards.red_packets',
      'DELETE FROM rewards.wallets',
      'UPDATE rewards.reward_decisions SET amount_cents = 1',
      'DELETE FROM rewards.outbox',
      `INSERT INTO rewards.reward_rules (effective_from, min_items, percent_basis_points, min_cents, max_cents, created_by)
       VALUES (now() + interval '1 day', 1, 10000, 0, 100000, 'reconciler')`,
    ]) {
      await expect(reconciler.dataSource.query(refused)).rejects.toThrow(/permission denied/);
    }
  });

  it('refuses to boot with a dedup window shorter than the topic retention plus the margin', async () => {
    const boot = startReconciler({ KAFKA_NAMESPACE: namespace, PROCESSED_MESSAGES_RETENTION_HOURS: '24' });
    await expect(boot).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(boot).rejects.toThrow(
      /PROCESSED_MESSAGES_RETENTION_HOURS: 24 h is shorter than .*retention \(168 h\)/,
    );
  });
});

import { Inject, Injectable, Logger } from '@nestjs/common';
import { newEventId } from '@redpacket/contracts';
import { failpoint } from '@redpacket/failpoints';
import { Metrics } from '@redpacket/observability';
import { GrantOnceService, REWARDS_OPTIONS, type RewardsOptions, rewardFor } from '@redpacket/rewards';
import { DataSource, type QueryRunner } from 'typeorm';
import { RECONCILIATION_OPTIONS, type ReconciliationOptions } from '../reconciliation.options';
import {
  emptyCounts,
  type ReconciliationCounts,
  type ReconciliationRequest,
  type ReconciliationRun,
} from './reconciliation-run';
import { ReconciliationRunRepository, type RunCursor } from './reconciliation-run.repository';
import { ReconciliationAlreadyRunningError, ReconciliationRunNotFoundError } from './reconciliation.errors';

/** One lock key for the whole system: only one reconciliation runs at a time, whichever instance. */
const RECONCILIATION_LOCK = 'redpacket:reconciliation';

interface OrderToCheck {
  order_id: string;
  user_id: string;
  item_count: number;
  total_cents: string;
  /** Kept as Postgres text: a JS Date would cut microseconds and the keyset would revisit rows. */
  created_at: string;
  granted: boolean;
}

/**
 * Finds qualifying orders older than the grace period that have no red packet, and grants each
 * through the same `grantOnce` path as the consumer (source `reconciliation`). A late event racing
 * the reissue meets the packet's unique order id: one packet, one credit, whoever is first.
 */
@Injectable()
export class ReissueMissingService {
  private readonly logger = new Logger(ReissueMissingService.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly grants: GrantOnceService,
    private readonly runs: ReconciliationRunRepository,
    @Inject(REWARDS_OPTIONS) private readonly rewards: RewardsOptions,
    @Inject(RECONCILIATION_OPTIONS) private readonly options: ReconciliationOptions,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  async run(request: ReconciliationRequest): Promise<ReconciliationRun> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      if (!(await this.tryLock(lock))) throw new ReconciliationAlreadyRunningError();
      try {
        await failpoint('reconciler.after-lock');
        return await this.reconcile(request);
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [RECONCILIATION_LOCK]);
      }
    } finally {
      await lock.release();
    }
  }

  async report(runId: string): Promise<ReconciliationRun> {
    const run = await this.runs.find(runId);
    if (!run) throw new ReconciliationRunNotFoundError(runId);
    const { cursor, ...report } = run;
    return report;
  }

  private async tryLock(lock: QueryRunner): Promise<boolean> {
    const [row] = (await lock.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [
      RECONCILIATION_LOCK,
    ])) as { locked: boolean }[];
    return row.locked;
  }

  private async reconcile(request: ReconciliationRequest): Promise<ReconciliationRun> {
    const resumed = request.resumeRunId ? await this.runs.find(request.resumeRunId) : undefined;
    if (request.resumeRunId && !resumed) throw new ReconciliationRunNotFoundError(request.resumeRunId);
    const runId = resumed?.runId ?? newEventId();
    const dryRun = resumed?.dryRun ?? request.dryRun ?? false;
    const since = resumed ? (resumed.since ? new Date(resumed.since) : null) : (request.since ?? null);
    const until = resumed ? new Date(resumed.until) : this.windowEnd(request.until);
    const counts: ReconciliationCounts = resumed ? { ...resumed } : emptyCounts();
    const countedBefore = { ...counts }; // a resumed run's earlier part was exported when it stopped
    let cursor: RunCursor | undefined = resumed?.cursor;
    if (!resumed) await this.runs.start({ runId, trigger: request.trigger, since, until, dryRun });
    this.logger.log('reconciliation started', { runId, since, until, dryRun, resumed: Boolean(resumed) });

    try {
      for (;;) {
        const batch = await this.nextBatch(since, until, cursor);
        if (batch.length === 0) break;
        for (const order of batch) await this.check(order, dryRun, counts);
        const last = batch[batch.length - 1];
        cursor = { createdAt: last.created_at, orderId: last.order_id };
        await this.runs.saveProgress(runId, counts, cursor);
      }
      await this.runs.finish(runId, 'succeeded');
      this.export(counts, countedBefore, 'succeeded');
    } catch (error) {
      await this.runs.saveProgress(runId, counts, cursor);
      await this.runs.finish(runId, 'failed', (error as Error).message);
      this.export(counts, countedBefore, 'failed');
      this.logger.error('reconciliation failed', { runId, error: (error as Error).message });
      throw error;
    }
    this.logger.log('reconciliation finished', { runId, ...counts });
    return this.report(runId);
  }

  /** Adds what this part of a run counted to the metrics: a resumed run does not count its earlier part again. */
  private export(counts: ReconciliationCounts, before: ReconciliationCounts, status: 'succeeded' | 'failed'): void {
    this.metrics.reconciliationRuns.inc({ status });
    const byName: Record<string, number> = {
      scanned: counts.scanned - before.scanned,
      eligible: counts.eligible - before.eligible,
      missing: counts.missing - before.missing,
      reissued: counts.reissued - before.reissued,
      already_granted: counts.alreadyGranted - before.alreadyGranted,
      failed: counts.failed - before.failed,
    };
    for (const [count, value] of Object.entries(byName)) this.metrics.reconciliationOrders.inc({ count }, value);
  }

  /** The window ends at the requested time, but never later than now minus the grace period. */
  private windowEnd(requested?: Date): Date {
    const graceEnd = new Date(Date.now() - this.options.graceSeconds * 1_000);
    return requested && requested < graceEnd ? requested : graceEnd;
  }

  /** One keyset page of orders, oldest first, each with whether it already has its packet. */
  private nextBatch(since: Date | null, until: Date, cursor: RunCursor | undefined): Promise<OrderToCheck[]> {
    return this.dataSource.query<OrderToCheck[]>(
      `SELECT o.order_id, o.user_id, o.item_count, o.total_cents, o.created_at::text AS created_at,
              EXISTS (SELECT 1 FROM rewards.red_packets p WHERE p.order_id = o.order_id) AS granted
         FROM ordering.orders_for_reconciliation o
        WHERE o.created_at < $1
          AND ($2::timestamptz IS NULL OR o.created_at >= $2)
          AND ($3::timestamptz IS NULL OR (o.created_at, o.order_id) > ($3::timestamptz, $4::uuid))
        ORDER BY o.created_at, o.order_id
        LIMIT $5`,
      [until, since, cursor?.createdAt ?? null, cursor?.orderId ?? null, this.options.batchSize],
    );
  }

  private async check(order: OrderToCheck, dryRun: boolean, counts: ReconciliationCounts): Promise<void> {
    counts.scanned += 1;
    const request = {
      source: 'reconciliation' as const,
      orderId: order.order_id,
      userId: order.user_id,
      itemCount: order.item_count,
      totalCents: Number(order.total_cents),
    };
    if (rewardFor(request, this.rewards.rule) === 0) return;
    counts.eligible += 1;
    if (order.granted) return;
    counts.missing += 1;
    if (dryRun) return;
    try {
      this.logger.debug('granting a missing red packet', { orderId: order.order_id, userId: order.user_id });
      await failpoint('reconciler.before-grant');
      const outcome = await this.grants.grantOnce(request);
      if (outcome === 'granted') counts.reissued += 1;
      else counts.alreadyGranted += 1;
      this.logger.log('reissued a missing red packet', { orderId: order.order_id, userId: order.user_id, outcome });
    } catch (error) {
      counts.failed += 1;
      this.logger.error('reissue failed; the next run will try again', {
        orderId: order.order_id,
        error: (error as Error).message,
      });
    }
  }
}

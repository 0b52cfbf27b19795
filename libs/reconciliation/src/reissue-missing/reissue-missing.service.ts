import { Inject, Injectable, Logger } from '@nestjs/common';
import { newEventId } from '@redpacket/contracts';
import { failpoint } from '@redpacket/failpoints';
import { Metrics } from '@redpacket/observability';
import { DataSource, type QueryRunner } from 'typeorm';
import { RECONCILIATION_OPTIONS, type ReconciliationOptions } from '../reconciliation.options';
import { ORDER_TO_CHECK_COLUMNS, type OrderToCheck } from './order-to-check';
import { type PendingCursor, PendingRepairsRepository } from './pending-repairs.repository';
import {
  emptyCounts,
  type ReconciliationCounts,
  type ReconciliationDiscrepancies,
  type ReconciliationRequest,
  type ReconciliationRun,
  type ReconciliationScan,
} from './reconciliation-run';
import { ReconciliationRunRepository, type RunCursor } from './reconciliation-run.repository';
import { ReconciliationAlreadyRunningError, ReconciliationRunNotFoundError } from './reconciliation.errors';
import { ReissueOrderService } from './reissue-order.service';
import { TwoWayCheck } from './two-way-check';

/** One lock key for the whole system: only one reconciliation runs at a time, whichever instance. */
const RECONCILIATION_LOCK = 'redpacket:reconciliation';

/** The window a run covers, and how it was chosen. */
interface RunWindow {
  scan: ReconciliationScan;
  since: Date | null;
  until: Date;
}

/**
 * Reconciles both ways. Forward: first the pending repairs (orders whose reissue failed in an earlier run),
 * then the orders of the window older than the grace period with no recorded decision, are decided now, under
 * the rule in force when they were placed, through the same `grantOnce` path as the consumer (source
 * `reconciliation`); a late event racing the reissue meets the decision's unique order id: one decision, one
 * packet, one credit, whoever is first. Backward: packets, amounts and wallets that disagree with the
 * decisions are counted and reported, never changed.
 */
@Injectable()
export class ReissueMissingService {
  private readonly logger = new Logger(ReissueMissingService.name);
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly orders: ReissueOrderService,
    private readonly pending: PendingRepairsRepository,
    private readonly runs: ReconciliationRunRepository,
    @Inject(RECONCILIATION_OPTIONS) private readonly options: ReconciliationOptions,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(TwoWayCheck) private readonly twoWay: TwoWayCheck,
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
    const { scan, since, until } = resumed
      ? { scan: resumed.scan, since: resumed.since ? new Date(resumed.since) : null, until: new Date(resumed.until) }
      : await this.windowFor(request);
    const counts: ReconciliationCounts = resumed ? { ...resumed } : emptyCounts();
    const countedBefore = { ...counts }; // a resumed run's earlier part was exported when it stopped
    let cursor: RunCursor | undefined = resumed?.cursor;
    if (!resumed) await this.runs.start({ runId, trigger: request.trigger, scan, since, until, dryRun });
    this.logger.log('reconciliation started', { runId, scan, since, until, dryRun, resumed: Boolean(resumed) });

    let found: ReconciliationDiscrepancies;
    let pendingLeft: number;
    try {
      if (!dryRun) await this.retryPendingRepairs(runId, counts, cursor);
      for (;;) {
        const batch = await this.nextBatch(since, until, cursor);
        if (batch.length === 0) break;
        for (const order of batch) await this.orders.check(order, { runId, dryRun, pending: false }, counts);
        const last = batch[batch.length - 1];
        cursor = { createdAt: last.created_at, orderId: last.order_id };
        await this.runs.saveProgress(runId, counts, cursor);
      }
      const backward = await this.twoWay.run(since);
      found = backward.found;
      await this.runs.saveDiscrepancies(runId, found, backward.findings);
      pendingLeft = await this.pending.count();
      await this.runs.finish(runId, { status: 'succeeded', pendingLeft });
      this.export(counts, countedBefore, { found, pendingLeft });
    } catch (error) {
      await this.runs.saveProgress(runId, counts, cursor);
      await this.runs.finish(runId, { status: 'failed', error: (error as Error).message });
      this.export(counts, countedBefore, undefined);
      this.logger.error('reconciliation failed', { runId, error: (error as Error).message });
      throw error;
    }
    this.logger.log('reconciliation finished', { runId, ...counts, ...found, pendingLeft });
    if (pendingLeft > 0) this.logger.warn('reissues are pending; every run retries them', { runId, pendingLeft });
    if (found.orphanPackets + found.amountMismatches + found.walletDrifts > 0) {
      this.logger.error('reconciliation found money without a reason; nothing was changed', { runId, ...found });
    }
    return this.report(runId);
  }

  /**
   * The window ends at the database's now minus the grace period, or earlier if asked. It starts at `since`
   * when given; at nothing for a full scan or when no run has covered anything yet; otherwise at the
   * high-water mark minus the overlap, which takes in orders that committed after the previous run read
   * their window (an order's created_at is its transaction's start, not its commit).
   */
  private async windowFor(request: ReconciliationRequest): Promise<RunWindow> {
    const graceEnd = await this.runs.databaseNowMinus(this.options.graceSeconds);
    const until = request.until && request.until < graceEnd ? request.until : graceEnd;
    if (request.since) return { scan: 'window', since: request.since, until };
    if (request.scan === 'full') return { scan: 'full', since: null, until };
    const mark = await this.runs.highWaterMark();
    if (!mark) return { scan: 'full', since: null, until };
    return { scan: 'incremental', since: new Date(mark.getTime() - this.options.overlapSeconds * 1_000), until };
  }

  /**
   * Every pending repair, oldest first, in keyset batches, through the same check as the window: decided, it
   * leaves the list; failed again, it stays with one more attempt. The list itself is the progress (a resumed
   * run goes through what is left of it), so each batch saves only the counts, with the window's cursor as is.
   */
  private async retryPendingRepairs(
    runId: string,
    counts: ReconciliationCounts,
    windowCursor: RunCursor | undefined,
  ): Promise<void> {
    let after: PendingCursor | undefined;
    for (;;) {
      const batch = await this.pending.nextBatch(after, this.options.batchSize);
      if (batch.length === 0) return;
      for (const order of batch) {
        counts.pendingRetried += 1;
        await this.orders.check(order, { runId, dryRun: false, pending: true }, counts);
      }
      const last = batch[batch.length - 1];
      after = { firstFailedAt: last.first_failed_at, orderId: last.order_id };
      await this.runs.saveProgress(runId, counts, windowCursor);
    }
  }

  /**
   * Adds what this part of a run counted to the metrics (a resumed run does not count its earlier part again),
   * and sets the gauges of a finished run.
   */
  private export(
    counts: ReconciliationCounts,
    before: ReconciliationCounts,
    finished: { found: ReconciliationDiscrepancies; pendingLeft: number } | undefined,
  ): void {
    this.metrics.reconciliationRuns.inc({ status: finished ? 'succeeded' : 'failed' });
    const byName: Record<string, number> = {
      scanned: counts.scanned - before.scanned,
      missing: counts.missing - before.missing,
      eligible: counts.eligible - before.eligible,
      reissued: counts.reissued - before.reissued,
      ineligible: counts.ineligible - before.ineligible,
      already_decided: counts.alreadyDecided - before.alreadyDecided,
      failed: counts.failed - before.failed,
      pending_retried: counts.pendingRetried - before.pendingRetried,
    };
    for (const [count, value] of Object.entries(byName)) this.metrics.reconciliationOrders.inc({ count }, value);
    if (!finished) return;
    const { found, pendingLeft } = finished;
    this.metrics.reconciliationPendingRepairs.set(pendingLeft);
    const byKind: Record<string, number> = {
      orphan_packet: found.orphanPackets,
      amount_mismatch: found.amountMismatches,
      wallet_drift: found.walletDrifts,
    };
    for (const [kind, value] of Object.entries(byKind))
      this.metrics.reconciliationDiscrepanciesFound.inc({ kind }, value);
  }

  /** One keyset page of orders, oldest first, each with whether it already has its decision. */
  private nextBatch(since: Date | null, until: Date, cursor: RunCursor | undefined): Promise<OrderToCheck[]> {
    return this.dataSource.query<OrderToCheck[]>(
      `SELECT ${ORDER_TO_CHECK_COLUMNS}
         FROM ordering.orders_for_reconciliation o
        WHERE o.created_at < $1
          AND ($2::timestamptz IS NULL OR o.created_at >= $2)
          AND ($3::timestamptz IS NULL OR (o.created_at, o.order_id) > ($3::timestamptz, $4::uuid))
        ORDER BY o.created_at, o.order_id
        LIMIT $5`,
      [until, since, cursor?.createdAt ?? null, cursor?.orderId ?? null, this.options.batchSize],
    );
  }
}

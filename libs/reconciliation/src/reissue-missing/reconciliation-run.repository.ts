import { Inject, Injectable } from '@nestjs/common';
import { deleteInBatches } from '@redpacket/database';
import { DataSource } from 'typeorm';
import type {
  Finding,
  ReconciliationCounts,
  ReconciliationDiscrepancies,
  ReconciliationRun,
  ReconciliationScan,
  ReconciliationTrigger,
} from './reconciliation-run';

interface RunRow {
  run_id: string;
  trigger: ReconciliationTrigger;
  scan: ReconciliationScan;
  window_since: Date | null;
  window_until: Date;
  dry_run: boolean;
  status: ReconciliationRun['status'];
  scanned: number;
  missing: number;
  eligible: number;
  reissued: number;
  ineligible: number;
  already_decided: number;
  failed: number;
  pending_retried: number;
  pending_left: number | null;
  orphan_packets: number;
  amount_mismatches: number;
  wallet_drifts: number;
  findings: Finding[];
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
  cursor_created_at: string | null;
  cursor_order_id: string | null;
}

export interface RunCursor {
  /** Full-precision Postgres timestamp text. */
  createdAt: string;
  orderId: string;
}

/** Every run is recorded: its window, its counts, where it got to, what it found, and how it ended. */
@Injectable()
export class ReconciliationRunRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Where the covered history ends: the latest end of a finished, real incremental or full run. Every such
   * run starts at or before the previous one's end, so everything before this mark has been scanned.
   */
  async highWaterMark(): Promise<Date | undefined> {
    const [row] = await this.dataSource.query<{ mark: Date | null }[]>(
      `SELECT max(window_until) AS mark FROM reconciliation.runs
        WHERE status = 'succeeded' AND NOT dry_run AND scan IN ('incremental', 'full')`,
    );
    return row.mark ?? undefined;
  }

  /** The database's now minus `seconds`: windows are cut by the clock that stamped the orders. */
  async databaseNowMinus(seconds: number): Promise<Date> {
    const [row] = await this.dataSource.query<{ at: Date }[]>('SELECT now() - make_interval(secs => $1) AS at', [
      seconds,
    ]);
    return row.at;
  }

  async start(run: {
    runId: string;
    trigger: ReconciliationTrigger;
    scan: ReconciliationScan;
    since: Date | null;
    until: Date;
    dryRun: boolean;
  }) {
    await this.dataSource.query(
      `INSERT INTO reconciliation.runs (run_id, trigger, scan, window_since, window_until, dry_run, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'running')`,
      [run.runId, run.trigger, run.scan, run.since, run.until, run.dryRun],
    );
  }

  /** Saves the counts and the keyset position after each batch, so a stopped run can be resumed. */
  async saveProgress(runId: string, counts: ReconciliationCounts, cursor: RunCursor | undefined): Promise<void> {
    await this.dataSource.query(
      `UPDATE reconciliation.runs
          SET scanned = $2, missing = $3, eligible = $4, reissued = $5, ineligible = $6, already_decided = $7,
              failed = $8, pending_retried = $9, cursor_created_at = $10, cursor_order_id = $11
        WHERE run_id = $1`,
      [
        runId,
        counts.scanned,
        counts.missing,
        counts.eligible,
        counts.reissued,
        counts.ineligible,
        counts.alreadyDecided,
        counts.failed,
        counts.pendingRetried,
        cursor?.createdAt ?? null,
        cursor?.orderId ?? null,
      ],
    );
  }

  async saveDiscrepancies(runId: string, found: ReconciliationDiscrepancies, findings: Finding[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE reconciliation.runs SET orphan_packets = $2, amount_mismatches = $3, wallet_drifts = $4, findings = $5
        WHERE run_id = $1`,
      [runId, found.orphanPackets, found.amountMismatches, found.walletDrifts, JSON.stringify(findings)],
    );
  }

  async finish(
    runId: string,
    ending: { status: 'succeeded'; pendingLeft: number } | { status: 'failed'; error: string },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE reconciliation.runs SET status = $2, error = $3, pending_left = $4, finished_at = now() WHERE run_id = $1`,
      [
        runId,
        ending.status,
        ending.status === 'failed' ? ending.error : null,
        ending.status === 'succeeded' ? ending.pendingLeft : null,
      ],
    );
  }

  /** Deletes finished runs older than the retention, keeping the one that holds the high-water mark. */
  purgeFinished(retentionDays: number, batchSize: number): Promise<number> {
    return deleteInBatches(
      this.dataSource,
      `DELETE FROM reconciliation.runs WHERE run_id IN (
         SELECT run_id FROM reconciliation.runs
          WHERE finished_at < now() - make_interval(days => $1)
            AND run_id IS DISTINCT FROM (
              SELECT run_id FROM reconciliation.runs
               WHERE status = 'succeeded' AND NOT dry_run AND scan IN ('incremental', 'full')
               ORDER BY window_until DESC LIMIT 1)
          LIMIT $2)`,
      [retentionDays],
      batchSize,
    );
  }

  async find(runId: string): Promise<(ReconciliationRun & { cursor?: RunCursor }) | undefined> {
    const [row] = await this.dataSource.query<RunRow[]>(
      'SELECT *, cursor_created_at::text AS cursor_created_at FROM reconciliation.runs WHERE run_id = $1',
      [runId],
    );
    return row && runOf(row);
  }
}

function runOf(row: RunRow): ReconciliationRun & { cursor?: RunCursor } {
  return {
    runId: row.run_id,
    trigger: row.trigger,
    scan: row.scan,
    since: row.window_since?.toISOString() ?? null,
    until: row.window_until.toISOString(),
    dryRun: row.dry_run,
    status: row.status,
    scanned: row.scanned,
    missing: row.missing,
    eligible: row.eligible,
    reissued: row.reissued,
    ineligible: row.ineligible,
    alreadyDecided: row.already_decided,
    failed: row.failed,
    pendingRetried: row.pending_retried,
    pendingLeft: row.pending_left,
    orphanPackets: row.orphan_packets,
    amountMismatches: row.amount_mismatches,
    walletDrifts: row.wallet_drifts,
    findings: row.findings,
    error: row.error,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    cursor:
      row.cursor_created_at && row.cursor_order_id
        ? { createdAt: row.cursor_created_at, orderId: row.cursor_order_id }
        : undefined,
  };
}

import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ReconciliationCounts, ReconciliationRun, ReconciliationTrigger } from './reconciliation-run';

interface RunRow {
  run_id: string;
  trigger: ReconciliationTrigger;
  window_since: Date | null;
  window_until: Date;
  dry_run: boolean;
  status: ReconciliationRun['status'];
  scanned: number;
  eligible: number;
  missing: number;
  reissued: number;
  already_granted: number;
  failed: number;
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

/** Every run is recorded: its window, its counts, where it got to, and how it ended. */
@Injectable()
export class ReconciliationRunRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async start(run: {
    runId: string;
    trigger: ReconciliationTrigger;
    since: Date | null;
    until: Date;
    dryRun: boolean;
  }) {
    await this.dataSource.query(
      `INSERT INTO reconciliation.runs (run_id, trigger, window_since, window_until, dry_run, status)
       VALUES ($1, $2, $3, $4, $5, 'running')`,
      [run.runId, run.trigger, run.since, run.until, run.dryRun],
    );
  }

  /** Saves the counts and the keyset position after each batch, so a stopped run can be resumed. */
  async saveProgress(runId: string, counts: ReconciliationCounts, cursor: RunCursor | undefined): Promise<void> {
    await this.dataSource.query(
      `UPDATE reconciliation.runs
          SET scanned = $2, eligible = $3, missing = $4, reissued = $5, already_granted = $6, failed = $7,
              cursor_created_at = $8, cursor_order_id = $9
        WHERE run_id = $1`,
      [
        runId,
        counts.scanned,
        counts.eligible,
        counts.missing,
        counts.reissued,
        counts.alreadyGranted,
        counts.failed,
        cursor?.createdAt ?? null,
        cursor?.orderId ?? null,
      ],
    );
  }

  async finish(runId: string, status: 'succeeded' | 'failed', error?: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE reconciliation.runs SET status = $2, error = $3, finished_at = now() WHERE run_id = $1`,
      [runId, status, error ?? null],
    );
  }

  async find(runId: string): Promise<(ReconciliationRun & { cursor?: RunCursor }) | undefined> {
    const [row] = await this.dataSource.query<RunRow[]>(
      'SELECT *, cursor_created_at::text AS cursor_created_at FROM reconciliation.runs WHERE run_id = $1',
      [runId],
    );
    if (!row) return undefined;
    return {
      runId: row.run_id,
      trigger: row.trigger,
      since: row.window_since?.toISOString() ?? null,
      until: row.window_until.toISOString(),
      dryRun: row.dry_run,
      status: row.status,
      scanned: row.scanned,
      eligible: row.eligible,
      missing: row.missing,
      reissued: row.reissued,
      alreadyGranted: row.already_granted,
      failed: row.failed,
      error: row.error,
      startedAt: row.started_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
      cursor:
        row.cursor_created_at && row.cursor_order_id
          ? { createdAt: row.cursor_created_at, orderId: row.cursor_order_id }
          : undefined,
    };
  }
}

import type { LoggerService } from '@nestjs/common';
import type { Metrics } from '@redpacket/observability';
import type { DataSource } from 'typeorm';
import {
  type PendingRepairsAlert,
  PendingRepairsAlarm,
  type PendingRepairsReading,
  readPendingRepairs,
} from './pending-repairs';

/** What the latest finished incremental or full reconciliation found going backwards: money without a reason. */
export interface ReconciliationReading {
  runId: string;
  finishedAt: string;
  orphanPackets: number;
  amountMismatches: number;
  walletDrifts: number;
}

export interface ReconciliationWatchReading {
  /** Absent until a covering run has finished. */
  reconciliation: ReconciliationReading | undefined;
  /** Orders whose reissue failed and that every reconciliation run retries until they are decided. */
  pendingRepairs: PendingRepairsReading;
  /** Set at the reading that saw a new failed attempt: once per attempt. */
  alert: PendingRepairsAlert | undefined;
}

/**
 * What the reconciler found, read from its own tables: the latest covering run's discrepancies, exported
 * as gauges and logged once per run that found any, and the repairs still pending, exported and alerted
 * once per failed attempt.
 */
export class ReconciliationWatch {
  private alertedRunId: string | undefined;
  private readonly pendingRepairsAlarm = new PendingRepairsAlarm();

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    private readonly logger: LoggerService,
  ) {}

  async read(now: number): Promise<ReconciliationWatchReading> {
    const [reconciliation, pendingRepairs] = await Promise.all([this.latestRun(), readPendingRepairs(this.dataSource)]);
    this.reportDiscrepancies(reconciliation);
    this.metrics.reconciliationPendingRepairs.set(pendingRepairs.count);
    const alert = this.pendingRepairsAlarm.observe(pendingRepairs, now);
    if (alert) this.logger.error('reconciliation repairs are pending', { ...pendingRepairs });
    return { reconciliation, pendingRepairs, alert };
  }

  private async latestRun(): Promise<ReconciliationReading | undefined> {
    const [row] = await this.dataSource.query<
      { run_id: string; finished_at: Date; orphan_packets: number; amount_mismatches: number; wallet_drifts: number }[]
    >(
      `SELECT run_id, finished_at, orphan_packets, amount_mismatches, wallet_drifts FROM reconciliation.runs
        WHERE status = 'succeeded' AND NOT dry_run AND scan IN ('incremental', 'full')
        ORDER BY finished_at DESC LIMIT 1`,
    );
    return (
      row && {
        runId: row.run_id,
        finishedAt: row.finished_at.toISOString(),
        orphanPackets: row.orphan_packets,
        amountMismatches: row.amount_mismatches,
        walletDrifts: row.wallet_drifts,
      }
    );
  }

  /** Exports the latest report's counts, and alerts once per report that found anything. */
  private reportDiscrepancies(reading: ReconciliationReading | undefined): void {
    if (!reading) return;
    const byKind = {
      orphan_packet: reading.orphanPackets,
      amount_mismatch: reading.amountMismatches,
      wallet_drift: reading.walletDrifts,
    };
    for (const [kind, value] of Object.entries(byKind)) this.metrics.reconciliationDiscrepancies.set({ kind }, value);
    const found = reading.orphanPackets + reading.amountMismatches + reading.walletDrifts;
    if (found === 0 || reading.runId === this.alertedRunId) return;
    this.alertedRunId = reading.runId;
    this.logger.error('reconciliation reported money without a reason', { ...reading });
  }
}

export type ReconciliationTrigger = 'schedule' | 'cli' | 'api';

/**
 * What a run covers:
 * - `incremental`: from the last covering run's end minus the overlap (the schedule's default);
 * - `full`: every order ever placed, on demand;
 * - `window`: the `since`/`until` asked for; it does not move the high-water mark.
 */
export type ReconciliationScan = 'incremental' | 'full' | 'window';

/**
 * The forward direction: orders that should have a decision. A run first retries the pending repairs (reissues
 * an earlier run could not make), then scans its window; both are counted here alike.
 */
export interface ReconciliationCounts {
  /** Orders in the window, and pending repairs retried. */
  scanned: number;
  /** Of those, orders with no recorded decision, older than the grace period. */
  missing: number;
  /** Of the missing, those that qualify under the rule in force when they were placed. */
  eligible: number;
  /** Granted now by this run. */
  reissued: number;
  /** Recorded now as not qualifying under the rule of their time. */
  ineligible: number;
  /** Decided by the event path while the run was on its way: nothing done. */
  alreadyDecided: number;
  /** Reissues that failed; each order is kept as a pending repair, which every later run retries. */
  failed: number;
  /** Of the scanned, pending repairs retried first (none in a dry run). */
  pendingRetried: number;
}

/** The other direction: money that exists without a reason, reported and never fixed by the run. */
export interface ReconciliationDiscrepancies {
  /** Packets whose order does not exist. */
  orphanPackets: number;
  /**
   * Packets whose amount is not their order's recorded decision (or that have no granted decision), and
   * decisions made from an item count, total or user that are not their order's.
   */
  amountMismatches: number;
  /** Wallets whose balance is not the sum of their packets. */
  walletDrifts: number;
}

export type DiscrepancyKind = 'orphan-packet' | 'amount-mismatch' | 'wallet-drift';

/** One example of a discrepancy; a run keeps the first few of each kind. */
export interface Finding {
  kind: DiscrepancyKind;
  userId: string;
  orderId?: string;
  /** What the money says (a packet's or a wallet's cents) and what it should be, as decimal strings. */
  actualCents: string;
  expectedCents: string;
  detail: string;
}

export interface ReconciliationRun extends ReconciliationCounts, ReconciliationDiscrepancies {
  runId: string;
  trigger: ReconciliationTrigger;
  scan: ReconciliationScan;
  since: string | null;
  until: string;
  dryRun: boolean;
  status: 'running' | 'succeeded' | 'failed';
  error: string | null;
  findings: Finding[];
  /** Pending repairs left when the run finished (a dry run counts them too); null if it failed first. */
  pendingLeft: number | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ReconciliationRequest {
  trigger: ReconciliationTrigger;
  /** `incremental` unless `since` is given (a window) or `full` is asked for. */
  scan?: 'incremental' | 'full';
  since?: Date;
  until?: Date;
  dryRun?: boolean;
  /** Continue a run that stopped, from its last finished batch. */
  resumeRunId?: string;
}

export function emptyCounts(): ReconciliationCounts {
  return {
    scanned: 0,
    missing: 0,
    eligible: 0,
    reissued: 0,
    ineligible: 0,
    alreadyDecided: 0,
    failed: 0,
    pendingRetried: 0,
  };
}

export type ReconciliationTrigger = 'schedule' | 'cli' | 'api';

export interface ReconciliationCounts {
  scanned: number;
  eligible: number;
  missing: number;
  reissued: number;
  alreadyGranted: number;
  failed: number;
}

export interface ReconciliationRun extends ReconciliationCounts {
  runId: string;
  trigger: ReconciliationTrigger;
  since: string | null;
  until: string;
  dryRun: boolean;
  status: 'running' | 'succeeded' | 'failed';
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ReconciliationRequest {
  trigger: ReconciliationTrigger;
  since?: Date;
  until?: Date;
  dryRun?: boolean;
  /** Continue a run that stopped, from its last finished batch. */
  resumeRunId?: string;
}

export function emptyCounts(): ReconciliationCounts {
  return { scanned: 0, eligible: 0, missing: 0, reissued: 0, alreadyGranted: 0, failed: 0 };
}

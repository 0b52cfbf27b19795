import { RedpacketError } from '@redpacket/errors';

/** 409: another reconciliation holds the lock: one run at a time across every instance. */
export class ReconciliationAlreadyRunningError extends RedpacketError {
  readonly code = 'RECONCILIATION_ALREADY_RUNNING';
  readonly retriable = true;

  constructor() {
    super('A reconciliation is already running');
  }
}

/** 404: no run has this id. */
export class ReconciliationRunNotFoundError extends RedpacketError {
  readonly code = 'RECONCILIATION_RUN_NOT_FOUND';
  readonly retriable = false;

  constructor(runId: string) {
    super(`reconciliation run ${runId} not found`);
  }
}

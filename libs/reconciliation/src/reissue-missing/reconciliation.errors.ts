import { ConflictException, NotFoundException } from '@nestjs/common';

/** Another reconciliation holds the lock: one run at a time across every instance. */
export class ReconciliationAlreadyRunningError extends ConflictException {
  readonly code = 'RECONCILIATION_ALREADY_RUNNING';
  readonly retriable = true;

  constructor() {
    super({ statusCode: 409, error: 'Conflict', message: 'A reconciliation is already running' });
  }
}

export class ReconciliationRunNotFoundError extends NotFoundException {
  readonly code = 'RECONCILIATION_RUN_NOT_FOUND';
  readonly retriable = false;

  constructor(runId: string) {
    super(`reconciliation run ${runId} not found`);
  }
}

import { RedpacketError } from '@redpacket/errors';

/** Thrown inside a grant transaction when the wallet's version check lost: the whole transaction is retried. */
export class OptimisticConflict extends RedpacketError {
  readonly code = 'OPTIMISTIC_CONFLICT';
  readonly retriable = true;

  constructor(userId: string) {
    super(`wallet of ${userId} changed concurrently`);
  }
}

/** Concurrent writers kept winning the version check; another attempt later is expected to get through. */
export class OptimisticConflictExhaustedError extends RedpacketError {
  readonly code = 'OPTIMISTIC_CONFLICT_EXHAUSTED';
  readonly retriable = true;

  constructor(readonly attempts: number) {
    super(`Optimistic concurrency conflict persisted after ${attempts} attempts`);
  }
}

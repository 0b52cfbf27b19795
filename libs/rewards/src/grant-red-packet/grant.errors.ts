import { RedpacketError } from '@redpacket/errors';

/** Concurrent writers kept winning the version check; another attempt later is expected to get through. */
export class OptimisticConflictExhaustedError extends RedpacketError {
  readonly code = 'OPTIMISTIC_CONFLICT_EXHAUSTED';
  readonly retriable = true;

  constructor(readonly attempts: number) {
    super(`Optimistic concurrency conflict persisted after ${attempts} attempts`);
  }
}

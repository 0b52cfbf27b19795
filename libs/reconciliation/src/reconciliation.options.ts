export const RECONCILIATION_OPTIONS = Symbol('RECONCILIATION_OPTIONS');

export interface ReconciliationOptions {
  /** Orders younger than this are left to the event path. */
  graceSeconds: number;
  batchSize: number;
  /**
   * How far before the high-water mark an incremental run starts again: it must exceed the longest time an
   * order's transaction can take from its start (its created_at) to its commit.
   */
  overlapSeconds: number;
}

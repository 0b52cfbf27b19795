export const RECONCILIATION_OPTIONS = Symbol('RECONCILIATION_OPTIONS');

export interface ReconciliationOptions {
  /** Orders younger than this are left to the event path. */
  graceSeconds: number;
  batchSize: number;
}

export type GrantSource = 'event' | 'reconciliation';

/** Everything a grant needs, whichever path (consumer or reconciler) asks for it. */
export interface GrantRequest {
  source: GrantSource;
  /** The event's id; absent for reconciliation, which is keyed by order alone. */
  eventId?: string;
  orderId: string;
  userId: string;
  itemCount: number;
  totalCents: number;
  /** Only for the `version-in-message` strategy: the wallet version the producer read. */
  walletVersion?: number;
}

export type GrantOutcome =
  /** A packet was granted and the wallet credited. */
  | 'granted'
  /** This event id was processed before: a redelivery, nothing done. */
  | 'duplicate-message'
  /** The order already has its packet (granted by the other path): nothing done. */
  | 'already-granted'
  /** The order does not qualify; recorded as processed, nothing granted. */
  | 'ineligible'
  /** version-in-message only: the carried version did not match, so the message was dropped. */
  | 'version-mismatch';

export const GRANT_STRATEGIES = ['inbox-tx', 'none', 'version-in-message', 'inbox-no-tx'] as const;
export type GrantStrategyName = (typeof GRANT_STRATEGIES)[number];

export interface GrantStrategy {
  readonly name: GrantStrategyName;
  grant(request: GrantRequest): Promise<GrantOutcome>;
}

/** Counters a test or a metrics exporter can read. */
export interface GrantStats {
  granted: number;
  duplicates: number;
  alreadyGranted: number;
  ineligible: number;
  optimisticRetries: number;
}

export function emptyGrantStats(): GrantStats {
  return { granted: 0, duplicates: 0, alreadyGranted: 0, ineligible: 0, optimisticRetries: 0 };
}

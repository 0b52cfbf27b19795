import type { Delivery } from '@redpacket/outbox';
import type { RewardRuleVersion } from '../reward-rules/reward-rules.repository';

export type GrantSource = 'event' | 'reconciliation';

export type { Delivery } from '@redpacket/outbox';

/** Everything a grant needs, whichever path (consumer or reconciler) asks for it. */
export interface GrantRequest {
  source: GrantSource;
  /** The event's id; absent for reconciliation, which is keyed by order alone. */
  eventId?: string;
  orderId: string;
  userId: string;
  itemCount: number;
  totalCents: number;
  /** When the order was placed (the order service's commit clock, to the millisecond): it picks the rule. */
  placedAt: Date;
  /** Only for the `version-in-message` strategy: the wallet version the producer read. */
  walletVersion?: number;
  /** Where the event was read (partition and offset), recorded with its inbox row; absent for reconciliation. */
  delivery?: Delivery;
  /**
   * The W3C traceparent of this request's grant span, for a grant that shares a transaction with others:
   * its RedPacketGranted continues its own order's trace. Otherwise the active span is used.
   */
  traceContext?: string;
}

/** A request with the rule that was in force when its order was placed. */
export interface RuledRequest extends GrantRequest {
  rule: RewardRuleVersion;
}

export type GrantOutcome =
  /** A packet was granted and the wallet credited. */
  | 'granted'
  /** This event id was processed before: a redelivery, nothing done. */
  | 'duplicate-message'
  /** The order was decided before (by the other path, granted or not): nothing done. */
  | 'already-decided'
  /** The order does not qualify under its rule; the decision is recorded, nothing granted. */
  | 'ineligible'
  /** version-in-message only: the carried version did not match, so the message was dropped. */
  | 'version-mismatch';

export const GRANT_STRATEGIES = ['inbox-tx', 'none', 'version-in-message', 'inbox-no-tx'] as const;
export type GrantStrategyName = (typeof GRANT_STRATEGIES)[number];

export interface GrantStrategy {
  readonly name: GrantStrategyName;
  grant(request: RuledRequest): Promise<GrantOutcome>;
}

/** Counters a test or a metrics exporter can read. */
export interface GrantStats {
  granted: number;
  duplicates: number;
  alreadyDecided: number;
  ineligible: number;
  optimisticRetries: number;
}

export function emptyGrantStats(): GrantStats {
  return { granted: 0, duplicates: 0, alreadyDecided: 0, ineligible: 0, optimisticRetries: 0 };
}

/** The app's one GrantStats, counted by the grant path and read by the tests and metrics. */
export const GRANT_STATS = Symbol('GRANT_STATS');

/** The strategy REWARD_STRATEGY chose. */
export const GRANT_STRATEGY = Symbol('GRANT_STRATEGY');

import type { OutboxLocation } from '@redpacket/outbox';
import type { InFlightLimits } from './place-order/in-flight-limiter';

export const ORDERING_OPTIONS = Symbol('ORDERING_OPTIONS');

/** The bounds on orders in flight in this process (ORDER_MAX_IN_FLIGHT_PER_CUSTOMER and the others). */
export interface OrderAdmissionOptions extends InFlightLimits {
  /** How long an order may wait in the queue for a running slot before it is refused with 503. */
  maxQueueWaitMs: number;
}

export interface OrderingOptions {
  idempotencyKeyTtlSeconds: number;
  /** How often expired idempotency keys are purged (RETENTION_INTERVAL_MS, as the outbox's purge). */
  idempotencyKeyPurgeIntervalMs: number;
  outbox: OutboxLocation;
  /** For the version-in-message comparison strategy only. */
  eventCarriesWalletVersion: boolean;
  admission: OrderAdmissionOptions;
}

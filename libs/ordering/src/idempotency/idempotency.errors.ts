import { RedpacketError } from '@redpacket/errors';

/** 409: a request with this key is still being processed; retry later for the stored response. */
export class IdempotencyKeyInFlightError extends RedpacketError {
  readonly code = 'IDEMPOTENCY_KEY_IN_FLIGHT';
  readonly retriable = true;

  constructor() {
    super('A request with this Idempotency-Key is in progress');
  }
}

/** 422: the key was already used with a different request body. */
export class IdempotencyKeyReusedError extends RedpacketError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly retriable = false;

  constructor() {
    super('This Idempotency-Key was already used with a different request body');
  }
}

/**
 * 409: another order of this customer held the customer's lock for longer than the lock timeout. Nothing
 * was written; the same request, with the same key, can be sent again.
 */
export class CustomerOrdersBusyError extends RedpacketError {
  readonly code = 'CUSTOMER_ORDERS_BUSY';
  readonly retriable = true;

  constructor() {
    super("Another of this customer's orders is being placed; retry with the same Idempotency-Key");
  }
}

/** SQLSTATE 55P03: a lock wait exceeded `lock_timeout`. */
export function isLockTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '55P03';
}

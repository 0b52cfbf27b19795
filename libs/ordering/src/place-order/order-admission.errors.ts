import { RedpacketError } from '@redpacket/errors';

/**
 * An order takes milliseconds; a second is long enough for one of the customer's orders, or of the
 * queue in front of the database, to finish, and short enough that a careful client loses little.
 */
export const ORDER_RETRY_AFTER_SECONDS = 1;

/** 429: the customer already has as many orders in flight as one customer may. Nothing was written. */
export class CustomerOrdersInFlightError extends RedpacketError {
  readonly code = 'CUSTOMER_ORDERS_IN_FLIGHT';
  readonly retriable = true;
  override readonly retryAfterSeconds = ORDER_RETRY_AFTER_SECONDS;

  constructor(limit: number) {
    super(`This customer already has ${limit} orders in progress; retry after the ones in progress finish`);
  }
}

/** 503: the process has as many orders running and waiting as it takes. Nothing was written. */
export class OrdersOverloadedError extends RedpacketError {
  readonly code = 'ORDERS_OVERLOADED';
  readonly retriable = true;
  override readonly retryAfterSeconds = ORDER_RETRY_AFTER_SECONDS;

  constructor() {
    super('The order service is taking as many orders as it can; retry with the same Idempotency-Key');
  }
}

/**
 * 503: the order could not get a database connection (the pool's wait ran out, or Postgres refused one).
 * The statement never ran, so nothing was written.
 */
export class DatabaseBusyError extends RedpacketError {
  readonly code = 'DATABASE_BUSY';
  readonly retriable = true;
  override readonly retryAfterSeconds = ORDER_RETRY_AFTER_SECONDS;

  constructor(cause: unknown) {
    super('No database connection was free for this order; retry with the same Idempotency-Key', { cause });
  }
}

/** node-postgres's pool, when no connection came free within `connectionTimeoutMillis` (pg-pool 3). */
const POOL_WAIT_TIMED_OUT = 'timeout exceeded when trying to connect';
/** node-postgres, when opening a new connection took longer than `connectionTimeoutMillis`. */
const CONNECT_TIMED_OUT = 'Connection terminated due to connection timeout';
/** Postgres refusing a new connection: too_many_connections, cannot_connect_now (starting or shutting down). */
const REFUSED_CONNECTION_SQLSTATES = new Set(['53300', '57P03']);

/**
 * True when the error says the statement never got a connection: the order was not sent, so answering
 * 503 (send it again) is honest. A statement that failed after it was sent is not this.
 */
export function isDatabaseBusy(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && REFUSED_CONNECTION_SQLSTATES.has(code)) return true;
  return message === POOL_WAIT_TIMED_OUT || message === CONNECT_TIMED_OUT;
}

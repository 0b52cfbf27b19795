/**
 * Every error code the system raises itself, in one closed list: a log, a metric label or a
 * dead-letter header carries one of these, or one derived by `classifyError` from a foreign error
 * (`PG_<SQLSTATE>`, `KAFKA_<type>`, a Node network code, `UNKNOWN`).
 */
export const ERROR_CODES = [
  // A message that can never be processed: the dead-letter topic.
  'INVALID_JSON',
  'INVALID_UTF8',
  'INVALID_PROBE',
  'CONTRACT_VIOLATION',
  'UNKNOWN_SCHEMA_VERSION',
  'UNKNOWN_EVENT_TYPE',
  'INVALID_SIGNATURE',
  'PLACED_IN_THE_FUTURE',
  // A condition of the moment: retry.
  'OPTIMISTIC_CONFLICT',
  'OPTIMISTIC_CONFLICT_EXHAUSTED',
  'UNACKNOWLEDGED_PARTITIONS',
  'FAILPOINT',
  // A request refused before it did anything, to be sent again after the answer's Retry-After.
  'CUSTOMER_ORDERS_IN_FLIGHT',
  'ORDERS_OVERLOADED',
  'DATABASE_BUSY',
  'KAFKA_NOT_REACHED',
  // A request that conflicts with what is running or stored: the answer says what to do.
  'IDEMPOTENCY_KEY_IN_FLIGHT',
  'IDEMPOTENCY_KEY_REUSED',
  'CUSTOMER_ORDERS_BUSY',
  'RECONCILIATION_ALREADY_RUNNING',
  'RECONCILIATION_RUN_NOT_FOUND',
  // Who is asking, and what they may see.
  'AUTHENTICATION_REQUIRED',
  'ACCESS_REFUSED',
  'ORDER_NOT_FOUND',
  'WALLET_NOT_FOUND',
  // A deployment that cannot run as configured: refuse to start.
  'CONFIG_INVALID',
  'TOPIC_MISMATCH',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** kafkajs puts the broker's error code name in `type`, on the error or on the `cause` a retry wrapped. */
export function kafkaErrorType(error: unknown): string {
  const { type, cause } = (error ?? {}) as { type?: string; cause?: { type?: string } };
  return type ?? cause?.type ?? '';
}

/**
 * Errors after which an idempotent producer's session is beyond repair (the broker lost or fenced
 * its sequence state, e.g. after an unclean restart): only a new producer id gets writes through.
 */
const BROKEN_PRODUCER_SESSION = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
]);

export function breaksProducerSession(error: unknown): boolean {
  return BROKEN_PRODUCER_SESSION.has(kafkaErrorType(error));
}

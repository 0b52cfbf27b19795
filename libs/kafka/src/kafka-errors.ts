interface ClientError {
  /** kafkajs: the broker's error code name. */
  type?: string;
  /** @platformatic/kafka: the broker's error code name. */
  apiId?: string;
  cause?: unknown;
  /** @platformatic/kafka's MultipleErrors: one per failed request. */
  errors?: unknown[];
}

/**
 * The broker's error code name (`NOT_LEADER_OR_FOLLOWER`, ...) of a client error, or ''. kafkajs puts
 * it in `type`, @platformatic/kafka in `apiId`; either may sit on a `cause` a retry wrapped, or, for
 * @platformatic/kafka, among the `errors` of an aggregate.
 */
export function kafkaErrorType(error: unknown, depth = 0): string {
  if (error === null || typeof error !== 'object' || depth > 4) return '';
  const { type, apiId, cause, errors } = error as ClientError;
  if (type ?? apiId) return (type ?? apiId) as string;
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = kafkaErrorType(inner, depth + 1);
    if (found) return found;
  }
  return '';
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

/**
 * Broker answers about one partition (its leader, its in-sync replicas), not about the connection: a
 * send that failed with one of these may have failed for that partition only, and the others' messages
 * are worth sending again on their own. A connection that fails fails every partition alike.
 */
const PARTITION_ERRORS = new Set([
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_LEADER_FOR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'KAFKA_STORAGE_ERROR',
]);

export function failsOnePartition(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UNACKNOWLEDGED_PARTITIONS' || PARTITION_ERRORS.has(kafkaErrorType(error));
}

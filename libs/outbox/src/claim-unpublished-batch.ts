import type { EntityManager } from 'typeorm';

export interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  event_type: string;
  schema_version: number;
  payload: object;
  attempts: number;
  /** The writer's W3C traceparent; null when tracing was off. */
  trace_context: string | null;
}

export interface ClaimLimits {
  /** Rows the batch takes at most. */
  rows: number;
  /** Keys it locks at most: each is an advisory lock held until the transaction ends. */
  keys: number;
}

/** How many of the oldest unpublished rows, per row of a batch, the claim looks at for ready keys. */
const CANDIDATE_ROWS_PER_BATCH_ROW = 10;

/**
 * Claims due rows of an outbox table, oldest first, without ever letting an event overtake an earlier
 * one of its key (its user). Two statements, because the second must see what the first waited for:
 * 1. among the keys of the oldest unpublished rows, oldest first, lock the ones that are ready: the
 *    key's earliest unpublished row is due (not in backoff). The lock (`pg_try_advisory_xact_lock`,
 *    held to the end of the caller's transaction) makes any other claim, of this relay's pipeline or of
 *    another relay, skip the key and take the next ones;
 * 2. with a fresh snapshot, taken after those locks, read each locked key's unpublished rows in order,
 *    up to its first row in backoff. A claim that held the key and committed meanwhile has marked its
 *    rows published or rescheduled them, and this read sees it.
 */
export async function claimUnpublishedBatch(
  manager: EntityManager,
  table: string,
  limits: ClaimLimits,
): Promise<OutboxRow[]> {
  const keys = await manager.query<{ topic: string; message_key: string }[]>(
    // MATERIALIZED: the lock must be tried key by key in the order of their oldest row, and only until
    // enough are held; a plain subquery lets the planner try it on every key before sorting.
    `WITH ready AS MATERIALIZED (
       SELECT topic, message_key, min(id) AS head
         FROM (SELECT id, topic, message_key, next_attempt_at
                 FROM ${table}
                WHERE published_at IS NULL
                ORDER BY id
                LIMIT $1) oldest
        GROUP BY topic, message_key
       HAVING min(id) FILTER (WHERE next_attempt_at > now()) IS DISTINCT FROM min(id)
        ORDER BY head
     )
     SELECT topic, message_key
       FROM ready
      WHERE pg_try_advisory_xact_lock(hashtextextended($2 || topic || chr(31) || message_key, 0))
      LIMIT $3`,
    [limits.rows * CANDIDATE_ROWS_PER_BATCH_ROW, `${table}${String.fromCharCode(31)}`, limits.keys],
  );
  if (keys.length === 0) return [];
  return manager.query(
    `WITH locked AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(topic, message_key)),
     pending AS (
       SELECT o.id, o.event_id, o.topic, o.message_key, o.event_type, o.schema_version, o.payload, o.attempts,
              o.trace_context, min(o.id) FILTER (WHERE o.next_attempt_at > now()) OVER (PARTITION BY o.topic, o.message_key) AS waits_from
         FROM ${table} o
         JOIN locked k ON k.topic = o.topic AND k.message_key = o.message_key
        WHERE o.published_at IS NULL
     )
     SELECT id, event_id, topic, message_key, event_type, schema_version, payload, attempts, trace_context
       FROM pending
      WHERE waits_from IS NULL OR id < waits_from
      ORDER BY id
      LIMIT $3`,
    [keys.map((key) => key.topic), keys.map((key) => key.message_key), limits.rows],
  );
}

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
}

/** How many of the oldest due rows, per row of a batch, the claim looks at for ready keys. */
const CANDIDATE_ROWS_PER_BATCH_ROW = 10;

/**
 * Claims due rows of an outbox table, oldest first, without ever letting an event overtake an earlier
 * one of its key (its user). Two statements, because the second must see what the first waited for:
 * 1. among the keys of the oldest due rows (rows in backoff are passed over, so however many of them
 *    wait, say for a partition without a leader, they never crowd ready keys out of the window), oldest
 *    first, lock the head row of the ones that are ready: no earlier row of the key is in backoff. The
 *    row lock (`FOR UPDATE SKIP LOCKED`, held to the end of the caller's transaction) makes any other
 *    claim, of this relay's pipeline or of another relay, skip the key and take the next ones. A head
 *    that another claim published meanwhile is re-read as published and left out. Row locks live in the
 *    rows, not in Postgres's shared lock table, so any number of relays may claim at once;
 * 2. with a fresh snapshot, taken after those locks, read each locked key's unpublished rows in order,
 *    up to its first row in backoff. A claim that held the key and committed meanwhile has marked its
 *    rows published or rescheduled them, and this read sees it. The rows are chosen by id alone, key by
 *    key along the (topic, message_key, id) index (rows in backoff are few: they are found once, through
 *    their own index), and only the chosen ones are read whole: a backlog of many rows per key is
 *    neither sorted nor carried through the query with its payloads.
 */
export async function claimUnpublishedBatch(
  manager: EntityManager,
  table: string,
  limits: ClaimLimits,
): Promise<OutboxRow[]> {
  // Plain index scans only, for the rest of the caller's transaction. A published row leaves the
  // unpublished indexes only when VACUUM runs, which on a table keeping its history may be millions of
  // rows later. A bitmap scan, which the planner likes for a window this small, reads every such row's
  // heap page again at every claim; a plain index scan marks the dead entries it meets, and later claims
  // step over them without reading the table.
  await manager.query('SET LOCAL enable_bitmapscan = off');
  const keys = await manager.query<{ topic: string; message_key: string }[]>(
    // MATERIALIZED: the candidates are chosen once, before any lock is tried.
    `WITH ready AS MATERIALIZED (
       SELECT min(id) AS head
         FROM (SELECT id, topic, message_key
                 FROM ${table}
                WHERE published_at IS NULL AND next_attempt_at <= now()
                ORDER BY id
                LIMIT $1) oldest
        GROUP BY topic, message_key
       HAVING NOT EXISTS (
                SELECT 1 FROM ${table} waiting
                 WHERE waiting.published_at IS NULL AND waiting.topic = oldest.topic
                   AND waiting.message_key = oldest.message_key AND waiting.id < min(oldest.id)
                   AND waiting.next_attempt_at > now())
     )
     SELECT o.topic, o.message_key
       FROM ${table} o
      WHERE o.id = ANY (ARRAY(SELECT head FROM ready)) AND o.published_at IS NULL
      ORDER BY o.id
      LIMIT $2
        FOR UPDATE OF o SKIP LOCKED`,
    [limits.rows * CANDIDATE_ROWS_PER_BATCH_ROW, limits.rows],
  );
  if (keys.length === 0) return [];
  return manager.query(
    `WITH locked AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(topic, message_key)),
     waiting AS MATERIALIZED (
       SELECT topic, message_key, min(id) AS waits_from
         FROM ${table}
        WHERE published_at IS NULL AND next_attempt_at > now()
        GROUP BY topic, message_key
     ),
     chosen AS (
       SELECT o.id
         FROM locked k
         LEFT JOIN waiting w ON w.topic = k.topic AND w.message_key = k.message_key
        CROSS JOIN LATERAL (
              SELECT o.id FROM ${table} o
               WHERE o.published_at IS NULL AND o.topic = k.topic AND o.message_key = k.message_key
                 AND (w.waits_from IS NULL OR o.id < w.waits_from)
               ORDER BY o.id
               LIMIT $3) o
        ORDER BY o.id
        LIMIT $3
     )
     SELECT o.id, o.event_id, o.topic, o.message_key, o.event_type, o.schema_version, o.payload, o.attempts,
            o.trace_context
       FROM ${table} o JOIN chosen c ON c.id = o.id
      ORDER BY o.id`,
    [keys.map((key) => key.topic), keys.map((key) => key.message_key), limits.rows],
  );
}

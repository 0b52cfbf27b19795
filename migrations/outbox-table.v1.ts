import type { QueryRunner } from 'typeorm';

/**
 * The outbox table, version 1, shared by every service's schema. Frozen: a later change to the
 * outbox gets a new migration, never an edit here.
 */
export async function createOutboxTableV1(queryRunner: QueryRunner, schema: string): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE ${schema}.outbox (
      id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id        uuid        NOT NULL UNIQUE,
      topic           text        NOT NULL,
      message_key     text        NOT NULL,
      event_type      text        NOT NULL,
      schema_version  integer     NOT NULL,
      payload         jsonb       NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      published_at    timestamptz,
      attempts        integer     NOT NULL DEFAULT 0,
      last_error      text,
      next_attempt_at timestamptz NOT NULL DEFAULT now()
    )`);
  // The relay only ever scans unpublished rows; this index stays small however big the table grows.
  await queryRunner.query(
    `CREATE INDEX outbox_unpublished_idx ON ${schema}.outbox (next_attempt_at, id) WHERE published_at IS NULL`,
  );
  await queryRunner.query(
    `CREATE INDEX outbox_published_at_idx ON ${schema}.outbox (published_at) WHERE published_at IS NOT NULL`,
  );
}

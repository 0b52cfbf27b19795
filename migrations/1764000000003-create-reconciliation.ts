import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reconciler reads the order service's data through a view, the contract between the two:
 * stable columns, no access to anything else in the ordering schema. In production the reconciler
 * connects as `reconciler_reader`, which may read the view and nothing else of that schema.
 */
export class CreateReconciliation1764000000003 implements MigrationInterface {
  name = 'CreateReconciliation1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE VIEW ordering.orders_for_reconciliation AS
      SELECT order_id, user_id, item_count, total_cents, created_at FROM ordering.orders`);
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reconciler_reader') THEN
          CREATE ROLE reconciler_reader NOLOGIN;
        END IF;
      END $$`);
    await queryRunner.query('GRANT USAGE ON SCHEMA ordering TO reconciler_reader');
    await queryRunner.query('GRANT SELECT ON ordering.orders_for_reconciliation TO reconciler_reader');

    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS reconciliation');
    await queryRunner.query(`
      CREATE TABLE reconciliation.runs (
        run_id          uuid        PRIMARY KEY,
        trigger         text        NOT NULL CHECK (trigger IN ('schedule', 'cli', 'api')),
        window_since    timestamptz,
        window_until    timestamptz NOT NULL,
        dry_run         boolean     NOT NULL,
        status          text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
        scanned         integer     NOT NULL DEFAULT 0,
        eligible        integer     NOT NULL DEFAULT 0,
        missing         integer     NOT NULL DEFAULT 0,
        reissued        integer     NOT NULL DEFAULT 0,
        already_granted integer     NOT NULL DEFAULT 0,
        failed          integer     NOT NULL DEFAULT 0,
        error           text,
        -- keyset position of the last finished batch: where a resumed run continues
        cursor_created_at timestamptz,
        cursor_order_id   uuid,
        started_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE reconciliation.runs');
    await queryRunner.query('DROP SCHEMA reconciliation');
    await queryRunner.query('REVOKE ALL ON ordering.orders_for_reconciliation FROM reconciler_reader');
    await queryRunner.query('REVOKE USAGE ON SCHEMA ordering FROM reconciler_reader');
    await queryRunner.query('DROP VIEW ordering.orders_for_reconciliation');
  }
}

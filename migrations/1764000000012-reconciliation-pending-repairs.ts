import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reissue that fails (a failover, optimistic conflicts exhausted) is kept in
 * `reconciliation.pending_repairs` until a later run decides the order: the high-water mark moves past it
 * when its run succeeds, so without the list no incremental run would look at it again. A run report says
 * how many it retried and how many are left (NULL: a run that failed before counting them).
 */
export class ReconciliationPendingRepairs1764000000012 implements MigrationInterface {
  name = 'ReconciliationPendingRepairs1764000000012';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE reconciliation.pending_repairs (
        order_id        uuid        PRIMARY KEY,
        first_failed_at timestamptz NOT NULL DEFAULT now(),
        last_failed_at  timestamptz NOT NULL DEFAULT now(),
        attempts        integer     NOT NULL DEFAULT 1 CHECK (attempts >= 1),
        last_error      text        NOT NULL,
        -- the run that failed it last; no foreign key, so the retention may purge that run
        run_id          uuid        NOT NULL
      )`);
    // Runs retry the list oldest first, in keyset batches.
    await queryRunner.query(
      'CREATE INDEX pending_repairs_first_failed_idx ON reconciliation.pending_repairs (first_failed_at, order_id)',
    );
    await queryRunner.query(`
      ALTER TABLE reconciliation.runs
        ADD COLUMN pending_retried integer NOT NULL DEFAULT 0,
        ADD COLUMN pending_left    integer`);
    await queryRunner.query(
      'GRANT SELECT, INSERT, UPDATE, DELETE ON reconciliation.pending_repairs TO redpacket_reconciler',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('REVOKE ALL ON reconciliation.pending_repairs FROM redpacket_reconciler');
    await queryRunner.query('ALTER TABLE reconciliation.runs DROP COLUMN pending_retried, DROP COLUMN pending_left');
    await queryRunner.query('DROP TABLE reconciliation.pending_repairs');
  }
}

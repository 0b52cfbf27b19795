import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay's claim starts from the oldest unpublished rows (`WHERE published_at IS NULL ORDER BY id`).
 * Walking the primary key for them passes every published row not yet purged (an hour's worth by
 * default); an index of unpublished ids alone starts at the first one.
 */
export class OutboxUnpublishedIdIndex1764000000010 implements MigrationInterface {
  name = 'OutboxUnpublishedIdIndex1764000000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const schema of ['ordering', 'rewards']) {
      await queryRunner.query(
        `CREATE INDEX outbox_unpublished_id_idx ON ${schema}.outbox (id) WHERE published_at IS NULL`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const schema of ['ordering', 'rewards']) {
      await queryRunner.query(`DROP INDEX ${schema}.outbox_unpublished_id_idx`);
    }
  }
}

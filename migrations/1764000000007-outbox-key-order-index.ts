import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay reads a locked key's unpublished rows in order (and finds its first row in backoff): an index
 * on (topic, message_key, id) over unpublished rows keeps that a lookup per key, even with a backlog.
 */
export class OutboxKeyOrderIndex1764000000007 implements MigrationInterface {
  name = 'OutboxKeyOrderIndex1764000000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const schema of ['ordering', 'rewards']) {
      await queryRunner.query(
        `CREATE INDEX outbox_unpublished_key_idx ON ${schema}.outbox (topic, message_key, id) WHERE published_at IS NULL`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const schema of ['ordering', 'rewards']) {
      await queryRunner.query(`DROP INDEX ${schema}.outbox_unpublished_key_idx`);
    }
  }
}

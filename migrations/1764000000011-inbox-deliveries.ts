import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox row says where the event was first delivered (partition, offset) and how many times it was
 * delivered in all: a redelivery (a relay's resend, a consumer that crashed before committing its offset)
 * still changes nothing but this count. An operator reading one order's timeline sees it. Nullable columns
 * and a constant default: the table, the system's largest, is neither rewritten nor scanned.
 */
export class InboxDeliveries1764000000011 implements MigrationInterface {
  name = 'InboxDeliveries1764000000011';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE rewards.processed_messages
        ADD COLUMN kafka_partition   integer,
        ADD COLUMN kafka_offset      bigint,
        ADD COLUMN deliveries        integer NOT NULL DEFAULT 1,
        ADD COLUMN last_delivered_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE rewards.processed_messages
        DROP COLUMN kafka_partition, DROP COLUMN kafka_offset, DROP COLUMN deliveries, DROP COLUMN last_delivered_at`);
  }
}

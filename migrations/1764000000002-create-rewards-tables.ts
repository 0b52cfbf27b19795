import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableV1 } from './outbox-table.v1';

export class CreateRewardsTables1764000000002 implements MigrationInterface {
  name = 'CreateRewardsTables1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The dedup window: one row per (group, event) ever processed, until retention deletes it.
    await queryRunner.query(`
      CREATE TABLE rewards.processed_messages (
        consumer_group text        NOT NULL,
        event_id       uuid        NOT NULL,
        processed_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, event_id)
      )`);
    await queryRunner.query('CREATE INDEX processed_messages_at_idx ON rewards.processed_messages (processed_at)');
    // One packet per order, whichever path (event or reconciliation) gets there first.
    await queryRunner.query(`
      CREATE TABLE rewards.red_packets (
        packet_id    uuid        PRIMARY KEY,
        order_id     uuid        NOT NULL UNIQUE,
        user_id      text        NOT NULL,
        amount_cents bigint      NOT NULL CHECK (amount_cents > 0),
        source       text        NOT NULL CHECK (source IN ('event', 'reconciliation')),
        event_id     uuid,
        granted_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX red_packets_user_idx ON rewards.red_packets (user_id, granted_at DESC)');
    await queryRunner.query(`
      CREATE TABLE rewards.wallets (
        user_id       text        PRIMARY KEY,
        balance_cents bigint      NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
        version       bigint      NOT NULL DEFAULT 0,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await createOutboxTableV1(queryRunner, 'rewards');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE rewards.outbox');
    await queryRunner.query('DROP TABLE rewards.wallets');
    await queryRunner.query('DROP TABLE rewards.red_packets');
    await queryRunner.query('DROP TABLE rewards.processed_messages');
  }
}

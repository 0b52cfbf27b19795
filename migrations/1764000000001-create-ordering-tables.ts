import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTableV1 } from './outbox-table.v1';

export class CreateOrderingTables1764000000001 implements MigrationInterface {
  name = 'CreateOrderingTables1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ordering.orders (
        order_id    uuid        PRIMARY KEY,
        user_id     text        NOT NULL,
        item_count  integer     NOT NULL CHECK (item_count > 0),
        total_cents bigint      NOT NULL CHECK (total_cents >= 0),
        status      text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // Order ids are UUIDv7 (time-ordered), so (user_id, order_id) serves newest-first keyset pages.
    await queryRunner.query('CREATE INDEX orders_user_idx ON ordering.orders (user_id, order_id DESC)');
    await queryRunner.query('CREATE INDEX orders_created_at_idx ON ordering.orders (created_at, order_id)');
    await queryRunner.query(`
      CREATE TABLE ordering.order_items (
        order_id         uuid    NOT NULL REFERENCES ordering.orders (order_id),
        line_no          integer NOT NULL,
        sku              text    NOT NULL,
        quantity         integer NOT NULL CHECK (quantity > 0),
        unit_price_cents bigint  NOT NULL CHECK (unit_price_cents >= 0),
        PRIMARY KEY (order_id, line_no)
      )`);
    await queryRunner.query(`
      CREATE TABLE ordering.idempotency_keys (
        idempotency_key text        PRIMARY KEY,
        request_hash    text        NOT NULL,
        response_status integer     NOT NULL,
        response_body   jsonb       NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        expires_at      timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX idempotency_keys_expires_idx ON ordering.idempotency_keys (expires_at)');
    await createOutboxTableV1(queryRunner, 'ordering');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ordering.outbox');
    await queryRunner.query('DROP TABLE ordering.idempotency_keys');
    await queryRunner.query('DROP TABLE ordering.order_items');
    await queryRunner.query('DROP TABLE ordering.orders');
  }
}

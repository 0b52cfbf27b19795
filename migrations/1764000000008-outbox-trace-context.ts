import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An event's trace context travels with it through the outbox: the W3C `traceparent` of the span that
 * wrote the row, so the relay's send belongs to the request (or the grant) that wrote it, not to the relay
 * that happened to send it. The order keeps the trace it was placed in too, so that a reconciliation that
 * reissues its packet, a trace of its own, links to it (through the reconciler's view). NULL when tracing
 * is off.
 */
export class OutboxTraceContext1764000000008 implements MigrationInterface {
  name = 'OutboxTraceContext1764000000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['ordering.outbox', 'rewards.outbox', 'ordering.orders']) {
      // No CHECK: on a large table it would be validated by a scan under an exclusive lock. The value is
      // always one the W3C propagator wrote (55 characters), never a caller's raw header.
      await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN trace_context text`);
    }
    await queryRunner.query(`
      CREATE OR REPLACE VIEW ordering.orders_for_reconciliation AS
      SELECT order_id, user_id, item_count, total_cents, created_at, trace_context FROM ordering.orders`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP VIEW ordering.orders_for_reconciliation');
    await queryRunner.query(`
      CREATE VIEW ordering.orders_for_reconciliation AS
      SELECT order_id, user_id, item_count, total_cents, created_at FROM ordering.orders`);
    await queryRunner.query('GRANT SELECT ON ordering.orders_for_reconciliation TO reconciler_reader');
    for (const table of ['ordering.outbox', 'rewards.outbox', 'ordering.orders']) {
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN trace_context`);
    }
  }
}

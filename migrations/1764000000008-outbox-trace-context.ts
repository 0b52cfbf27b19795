import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An event's trace context travels with it through the outbox: the W3C `traceparent` of the span that
 * wrote the row, so the relay's send belongs to the request (or the grant) that wrote it, not to the relay
 * that happened to send it. NULL when tracing is off.
 */
export class OutboxTraceContext1764000000008 implements MigrationInterface {
  name = 'OutboxTraceContext1764000000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const schema of ['ordering', 'rewards']) {
      await queryRunner.query(
        `ALTER TABLE ${schema}.outbox ADD COLUMN trace_context text CHECK (length(trace_context) <= 512)`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const schema of ['ordering', 'rewards']) {
      await queryRunner.query(`ALTER TABLE ${schema}.outbox DROP COLUMN trace_context`);
    }
  }
}

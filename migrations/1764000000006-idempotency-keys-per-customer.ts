import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys become the customer's own: unique per (user, key), so two customers who pick the same
 * key each get their own order, and neither can replay the other's response. Keys stored before belong to
 * no customer ('') and expire as before.
 */
export class IdempotencyKeysPerCustomer1764000000006 implements MigrationInterface {
  name = 'IdempotencyKeysPerCustomer1764000000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ordering.idempotency_keys ADD COLUMN user_id text NOT NULL DEFAULT ''`);
    await queryRunner.query('ALTER TABLE ordering.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey');
    await queryRunner.query('ALTER TABLE ordering.idempotency_keys ADD PRIMARY KEY (user_id, idempotency_key)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM ordering.idempotency_keys WHERE user_id <> ''`);
    await queryRunner.query('ALTER TABLE ordering.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey');
    await queryRunner.query('ALTER TABLE ordering.idempotency_keys ADD PRIMARY KEY (idempotency_key)');
    await queryRunner.query('ALTER TABLE ordering.idempotency_keys DROP COLUMN user_id');
  }
}

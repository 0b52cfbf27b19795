import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each service owns one schema in the shared Postgres; nothing crosses schemas but documented reads. */
export class CreateServiceSchemas1764000000000 implements MigrationInterface {
  name = 'CreateServiceSchemas1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS ordering');
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS rewards');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA IF EXISTS rewards');
    await queryRunner.query('DROP SCHEMA IF EXISTS ordering');
  }
}

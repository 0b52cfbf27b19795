import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalogue the order service prices every line from: a client sends a SKU and a quantity, never a
 * price. A price is positive, so no order totals zero; a SKU taken off sale stays for the orders that
 * name it and is refused for new ones.
 */
export class ProductCatalogue1764000000005 implements MigrationInterface {
  name = 'ProductCatalogue1764000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ordering.products (
        sku              text        PRIMARY KEY CHECK (sku ~ '^[\\x21-\\x7e]{1,64}$'),
        name             text        NOT NULL,
        unit_price_cents bigint      NOT NULL CHECK (unit_price_cents > 0 AND unit_price_cents <= 10000000),
        on_sale          boolean     NOT NULL DEFAULT true,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      INSERT INTO ordering.products (sku, name, unit_price_cents, on_sale) VALUES
        ('STICKER',    'Red packet sticker',    150,   true),
        ('PEN',        'Ballpoint pen',         300,   true),
        ('POSTER',     'Lantern poster',        800,   true),
        ('MUG',        'Red mug',               1250,  true),
        ('TEE',        'Cotton tee',            1999,  true),
        ('BOOK',       'Paper-cutting book',    2000,  true),
        ('LAMP',       'Desk lamp',             4000,  true),
        ('HOODIE',     'Hoodie',                4999,  true),
        ('SNEAKERS',   'Sneakers',              12000, true),
        ('HEADPHONES', 'Headphones',            25000, true),
        ('CD-2009',    'Compilation CD (2009)', 999,   false)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ordering.products');
  }
}

import { validationFailed } from '@redpacket/platform';
import type { EntityManager } from 'typeorm';
import type { PricedLine } from './order-totals';

/** `ordering.products`: the one source of a line's price. */
export class ProductCatalogue {
  /**
   * Each line with its unit price from the catalogue, read in the order's transaction. A SKU that is not
   * there, or not on sale, is the client's error: 400 naming every such line.
   */
  async price(manager: EntityManager, items: { sku: string; quantity: number }[]): Promise<PricedLine[]> {
    const rows = await manager.query<{ sku: string; unit_price_cents: string }[]>(
      'SELECT sku, unit_price_cents FROM ordering.products WHERE sku = ANY($1::text[]) AND on_sale',
      [[...new Set(items.map((item) => item.sku))]],
    );
    const prices = new Map(rows.map((row) => [row.sku, BigInt(row.unit_price_cents)]));
    const unknown = items.flatMap((item, index) =>
      prices.has(item.sku) ? [] : [{ field: `items.${index}.sku`, messages: [`${item.sku} is not a product on sale`] }],
    );
    if (unknown.length > 0) throw validationFailed(unknown);
    return items.map((item) => ({ ...item, unitPriceCents: prices.get(item.sku) ?? 0n }));
  }
}

import type { BadRequestException } from '@nestjs/common';
import { validationFailed } from '@redpacket/platform';

/**
 * `ordering.products` is the one source of a line's price; `ordering.place_order` reads it. A SKU that is
 * not there, or not on sale, is the client's error: 400 naming every line that has it.
 */
export function unknownProductsError(items: { sku: string }[], unknownSkus: string[]): BadRequestException {
  const unknown = new Set(unknownSkus);
  return validationFailed(
    items.flatMap((item, index) =>
      unknown.has(item.sku)
        ? [{ field: `items.${index}.sku`, messages: [`${item.sku} is not a product on sale`] }]
        : [],
    ),
  );
}

import type { OrderItemDto } from './place-order.dto';

/** Totals in exact integer arithmetic; BigInt so a bound change can never make them float. */
export function orderTotals(items: Pick<OrderItemDto, 'quantity' | 'unitPriceCents'>[]): {
  itemCount: number;
  totalCents: bigint;
} {
  return items.reduce(
    (acc, item) => ({
      itemCount: acc.itemCount + item.quantity,
      totalCents: acc.totalCents + BigInt(item.quantity) * BigInt(item.unitPriceCents),
    }),
    { itemCount: 0, totalCents: 0n },
  );
}

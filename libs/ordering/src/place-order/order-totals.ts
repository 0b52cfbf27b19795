/** A line priced from the catalogue. */
export interface PricedLine {
  sku: string;
  quantity: number;
  unitPriceCents: bigint;
}

/** Totals in exact integer arithmetic; BigInt so a bound change can never make them float. */
export function orderTotals(lines: Pick<PricedLine, 'quantity' | 'unitPriceCents'>[]): {
  itemCount: number;
  totalCents: bigint;
} {
  return lines.reduce(
    (acc, line) => ({
      itemCount: acc.itemCount + line.quantity,
      totalCents: acc.totalCents + BigInt(line.quantity) * line.unitPriceCents,
    }),
    { itemCount: 0, totalCents: 0n },
  );
}

import { orderTotals } from './order-totals';

describe('orderTotals', () => {
  it('counts units, not lines, and sums quantity × unit price in cents', () => {
    expect(
      orderTotals([
        { quantity: 2, unitPriceCents: 1299n },
        { quantity: 1, unitPriceCents: 1n },
      ]),
    ).toEqual({ itemCount: 3, totalCents: 2599n });
  });

  it('stays exact at the largest allowed order', () => {
    const items = Array.from({ length: 100 }, () => ({ quantity: 1000, unitPriceCents: 10_000_000n }));
    expect(orderTotals(items)).toEqual({ itemCount: 100_000, totalCents: 1_000_000_000_000n });
  });
});

import { ClaimSize } from './claim-size';

/** The sizes a claim asks for, one after another, when each returns the given number of rows. */
function sizesAsked(size: ClaimSize, claimedRows: number[]): number[] {
  return claimedRows.map((claimed) => {
    const asked = size.current;
    size.record(Math.min(claimed, asked));
    return asked;
  });
}

describe('ClaimSize', () => {
  it('doubles while claims come back full, up to the maximum', () => {
    expect(sizesAsked(new ClaimSize(200, 1_600), [Infinity, Infinity, Infinity, Infinity, Infinity])).toEqual([
      200, 400, 800, 1_600, 1_600,
    ]);
  });

  it('halves back to the configured size once claims come back less than half full', () => {
    const size = new ClaimSize(200, 1_600);
    sizesAsked(size, [Infinity, Infinity, Infinity]);
    expect(sizesAsked(size, [5, 5, 5, 5])).toEqual([1_600, 800, 400, 200]);
  });

  it('keeps its size while claims come back between half and full', () => {
    const size = new ClaimSize(200, 1_600);
    sizesAsked(size, [Infinity]);
    expect(sizesAsked(size, [333, 333, 333])).toEqual([400, 400, 400]);
  });

  it('never grows when the maximum is not above the configured size', () => {
    expect(sizesAsked(new ClaimSize(200, 100), [Infinity, Infinity, 0])).toEqual([200, 200, 200]);
  });
});

import { DEFAULT_REWARD_RULE, isEligible, RewardRule, rewardFor, validateRewardRule } from './reward-rule';

const order = (itemCount: number, totalCents: number) => ({ itemCount, totalCents });

describe('isEligible', () => {
  it('needs at least minItems items', () => {
    expect(isEligible({ itemCount: 2 })).toBe(false);
    expect(isEligible({ itemCount: 3 })).toBe(true);
    expect(isEligible({ itemCount: 1 }, { ...DEFAULT_REWARD_RULE, minItems: 1 })).toBe(true);
  });
});

describe('rewardFor with the default rule', () => {
  it('pays nothing for 2 items, however large the order', () => {
    expect(rewardFor(order(2, 1_000_000))).toBe(0);
  });

  it('pays 5% for 3 items', () => {
    expect(rewardFor(order(3, 20_000))).toBe(1000);
  });

  it('pays exactly the minimum when 5% lands on it', () => {
    expect(rewardFor(order(3, 2000))).toBe(100);
  });

  it('pays exactly the maximum when 5% lands on it', () => {
    expect(rewardFor(order(3, 100_000))).toBe(5000);
  });

  it('rounds down, then clamps up to the minimum', () => {
    // 1999 * 5% = 99.95 -> 99 -> 100
    expect(rewardFor(order(3, 1999))).toBe(100);
  });

  it('rounds down, never up', () => {
    // 50_001 * 5% = 2500.05 -> 2500; 50_039 * 5% = 2501.95 -> 2501
    expect(rewardFor(order(3, 50_001))).toBe(2500);
    expect(rewardFor(order(3, 50_039))).toBe(2501);
  });

  it('never pays on a zero total, whatever the item count: the minimum is not free money', () => {
    expect(rewardFor(order(3, 0))).toBe(0);
    expect(rewardFor(order(3, 1))).toBe(100);
  });

  it('clamps huge totals to the maximum without float error', () => {
    expect(rewardFor(order(3, 1e12))).toBe(5000);
    expect(rewardFor(order(3, Number.MAX_SAFE_INTEGER))).toBe(5000);
  });

  it('refuses totals that are not non-negative safe integers', () => {
    expect(() => rewardFor(order(3, 19.99))).toThrow(RangeError);
    expect(() => rewardFor(order(3, -1))).toThrow(RangeError);
    expect(() => rewardFor(order(3, 2 ** 53))).toThrow(RangeError);
  });
});

describe('rewardFor with a custom rule', () => {
  const rule: RewardRule = { minItems: 1, percentBasisPoints: 1234, minCents: 0, maxCents: 1_000_000_000_000 };

  it('uses its threshold, percentage and bounds', () => {
    expect(rewardFor(order(0, 10_000), rule)).toBe(0);
    // 10_000 * 12.34% = 1234
    expect(rewardFor(order(1, 10_000), rule)).toBe(1234);
    expect(rewardFor(order(1, 0), rule)).toBe(0);
  });

  it('stays exact where the float product would round', () => {
    // Float arithmetic gives 9_006_298_534_815_516 here; the exact floor is one cent less.
    const uncapped = { ...rule, percentBasisPoints: 9999, maxCents: Number.MAX_SAFE_INTEGER };
    expect(rewardFor(order(1, 9_007_199_254_740_990), uncapped)).toBe(9_006_298_534_815_515);
  });

  it('refuses to pay under an invalid rule', () => {
    expect(() => rewardFor(order(3, 1000), { ...rule, minCents: 10, maxCents: 5 })).toThrow(/minCents/);
  });
});

describe('validateRewardRule', () => {
  it('accepts the default rule', () => {
    expect(validateRewardRule(DEFAULT_REWARD_RULE)).toEqual([]);
  });

  it('accepts the boundaries', () => {
    expect(validateRewardRule({ minItems: 1, percentBasisPoints: 0, minCents: 0, maxCents: 0 })).toEqual([]);
    expect(validateRewardRule({ minItems: 1, percentBasisPoints: 10_000, minCents: 5, maxCents: 5 })).toEqual([]);
  });

  it('lists every problem', () => {
    const problems = validateRewardRule({ minItems: 0, percentBasisPoints: 10_001, minCents: -1, maxCents: -2 });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/minItems/);
    expect(problems.join('\n')).toMatch(/percentBasisPoints/);
    expect(problems.join('\n')).toMatch(/minCents must not be negative/);
    expect(problems.join('\n')).toMatch(/must not exceed maxCents/);
  });

  it('rejects non-integers', () => {
    const problems = validateRewardRule({ minItems: 2.5, percentBasisPoints: 12.5, minCents: NaN, maxCents: 100 });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^minItems must be an integer/),
        expect.stringMatching(/^percentBasisPoints must be an integer/),
        expect.stringMatching(/^minCents must be an integer/),
      ]),
    );
  });

  it('rejects a negative percentage', () => {
    expect(validateRewardRule({ ...DEFAULT_REWARD_RULE, percentBasisPoints: -1 })).toEqual([
      'percentBasisPoints must be between 0 and 10000, got -1',
    ]);
  });
});

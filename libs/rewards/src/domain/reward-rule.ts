/** How big a red packet an order earns. Money is integer cents; percentages are basis points (1 bp = 0.01%). */
export interface RewardRule {
  minItems: number;
  percentBasisPoints: number;
  minCents: number;
  maxCents: number;
}

export interface RewardableOrder {
  itemCount: number;
  totalCents: number;
}

/** 5% of the order, at least 1.00 and at most 50.00, for orders of 3 items or more. */
export const DEFAULT_REWARD_RULE: RewardRule = { minItems: 3, percentBasisPoints: 500, minCents: 100, maxCents: 5000 };

const BASIS_POINTS_PER_WHOLE = 10_000n;

export function isEligible(order: Pick<RewardableOrder, 'itemCount'>, rule: RewardRule = DEFAULT_REWARD_RULE): boolean {
  return order.itemCount >= rule.minItems;
}

/**
 * The packet amount in integer cents, or 0 when the order is not eligible. An order that paid nothing is
 * never eligible, whatever its item count: otherwise the minimum would be free money for zero-price orders.
 * (The catalogue has no zero price; this holds whatever an event claims.)
 */
export function rewardFor(order: RewardableOrder, rule: RewardRule = DEFAULT_REWARD_RULE): number {
  assertValidRule(rule);
  // A fractional or unsafe total would already be a wrong amount; refuse it rather than pay from it.
  if (!Number.isSafeInteger(order.totalCents) || order.totalCents < 0) {
    throw new RangeError(`totalCents must be a non-negative safe integer, got ${order.totalCents}`);
  }
  if (order.totalCents === 0 || !isEligible(order, rule)) return 0;
  // BigInt so totalCents * bp cannot exceed 2^53 and silently round; BigInt division floors for non-negatives.
  const percentCents = (BigInt(order.totalCents) * BigInt(rule.percentBasisPoints)) / BASIS_POINTS_PER_WHOLE;
  return Number(clamp(percentCents, BigInt(rule.minCents), BigInt(rule.maxCents)));
}

/** Every problem with a rule, in words; empty when the rule is usable. */
export function validateRewardRule(rule: RewardRule): string[] {
  const problems: string[] = [];
  for (const field of ['minItems', 'percentBasisPoints', 'minCents', 'maxCents'] as const) {
    if (!Number.isSafeInteger(rule[field])) problems.push(`${field} must be an integer, got ${rule[field]}`);
  }
  if (rule.minItems < 1) problems.push(`minItems must be at least 1, got ${rule.minItems}`);
  if (rule.percentBasisPoints < 0 || rule.percentBasisPoints > 10_000) {
    problems.push(`percentBasisPoints must be between 0 and 10000, got ${rule.percentBasisPoints}`);
  }
  if (rule.minCents < 0) problems.push(`minCents must not be negative, got ${rule.minCents}`);
  if (rule.minCents > rule.maxCents) {
    problems.push(`minCents (${rule.minCents}) must not exceed maxCents (${rule.maxCents})`);
  }
  return problems;
}

function assertValidRule(rule: RewardRule): void {
  const problems = validateRewardRule(rule);
  // Paying out under a broken rule is worse than not paying; fail loudly instead.
  if (problems.length > 0) throw new RangeError(`Invalid reward rule: ${problems.join('; ')}`);
}

function clamp(value: bigint, min: bigint, max: bigint): bigint {
  if (value < min) return min;
  if (value > max) return max;
  return value;
}

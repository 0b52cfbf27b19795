import { Inject, Injectable } from '@nestjs/common';
import { RedpacketError } from '@redpacket/errors';
import { type RecordedRewardRule, type RewardRuleVersion, RewardRulesRepository } from './reward-rules.repository';

/**
 * Which rule was in force when an order was placed, read from the database and kept in memory.
 *
 * Why the cache cannot answer with a stale rule: a version takes effect at least 2 s after it is written
 * (the table's trigger refuses anything sooner), so a rule that was not yet visible when the timeline was read
 * takes effect more than a second after that read (a one-row insert commits well within the other second).
 * The cache therefore answers for any order placed up to its read time (to the millisecond), and reads again
 * for an order placed after it. Under load that is one read per batch of fresh orders,
 * not one per order.
 */
@Injectable()
export class RewardRuleBook {
  private cached: { rules: RecordedRewardRule[]; readAt: Date } | undefined;
  private reading: Promise<{ rules: RecordedRewardRule[]; readAt: Date }> | undefined;

  constructor(@Inject(RewardRulesRepository) private readonly repository: RewardRulesRepository) {}

  /** The rule in force at `placedAt`: the last version whose effectiveFrom is not after it. */
  async ruleAt(placedAt: Date): Promise<RewardRuleVersion> {
    let timeline = this.cached;
    if (!timeline || placedAt > timeline.readAt) timeline = await this.read();
    // A read already under way when we asked may predate the order; one begun after covers any order placed.
    if (placedAt > timeline.readAt) timeline = await this.read();
    if (placedAt > timeline.readAt) throw new PlacedInTheFutureError(placedAt, timeline.readAt);
    const rule = timeline.rules.findLast((r) => r.effectiveFrom <= placedAt);
    // Version 1 is in force from the epoch; an order placed before 1970 is not an order.
    if (!rule) throw new RangeError(`no reward rule was in force at ${placedAt.toISOString()}`);
    return rule;
  }

  /** Every version, oldest first. */
  async timeline(): Promise<RecordedRewardRule[]> {
    return (await this.read()).rules;
  }

  /** One read at a time: callers arriving during a read share it. */
  private read(): Promise<{ rules: RecordedRewardRule[]; readAt: Date }> {
    this.reading ??= this.repository.timeline().then(
      (timeline) => {
        this.cached = timeline;
        this.reading = undefined;
        return timeline;
      },
      (error: unknown) => {
        this.reading = undefined;
        throw error;
      },
    );
    return this.reading;
  }
}

/**
 * An order claims a placement time later than the database's clock now: no committed order can, so the
 * message is not what it says it is, and no rule can be known for it yet. Poison, not a retry.
 */
export class PlacedInTheFutureError extends RedpacketError {
  readonly code = 'PLACED_IN_THE_FUTURE';
  readonly retriable = false;

  constructor(placedAt: Date, now: Date) {
    super(`order placed at ${placedAt.toISOString()}, after the database's now (${now.toISOString()})`);
  }
}

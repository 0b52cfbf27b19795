import { Inject, Injectable } from '@nestjs/common';
import { Metrics } from '@redpacket/observability';
import {
  GRANT_STATS,
  GRANT_STRATEGY,
  type GrantOutcome,
  type GrantRequest,
  type GrantStats,
  type GrantStrategy,
  type RuledRequest,
} from './grant.types';
import { RewardRuleBook } from '../reward-rules/reward-rule-book';
import { InboxTransactionBatch } from './strategies/inbox-transaction-batch';

/** The one grant path, used by the consumer and by the reconciler alike. */
@Injectable()
export class GrantOnceService {
  constructor(
    @Inject(GRANT_STRATEGY) readonly strategy: GrantStrategy,
    @Inject(InboxTransactionBatch) private readonly batch: InboxTransactionBatch,
    @Inject(GRANT_STATS) readonly stats: GrantStats,
    @Inject(Metrics) private readonly metrics: Metrics,
    private readonly rules: RewardRuleBook,
  ) {}

  /** Grants under the rule in force when the order was placed, read from `rewards.reward_rules`. */
  async grantOnce(request: GrantRequest): Promise<GrantOutcome> {
    const outcome = await this.strategy.grant(await this.withRule(request));
    this.record(request, outcome);
    return outcome;
  }

  /**
   * Several requests in one transaction (inbox-tx only); outcomes in input order, the same as granting
   * them one by one in that order would give. Used by the consumer when REWARD_BATCH_GRANTS is on.
   */
  async grantBatch(requests: GrantRequest[]): Promise<GrantOutcome[]> {
    if (this.strategy.name !== 'inbox-tx') {
      throw new Error(`grantBatch needs the inbox-tx strategy, not ${this.strategy.name}`);
    }
    const ruled = await Promise.all(requests.map((request) => this.withRule(request)));
    const outcomes = await this.batch.grant(ruled);
    outcomes.forEach((outcome, index) => this.record(requests[index], outcome));
    return outcomes;
  }

  private async withRule(request: GrantRequest): Promise<RuledRequest> {
    return { ...request, rule: await this.rules.ruleAt(request.placedAt) };
  }

  private record(request: GrantRequest, outcome: GrantOutcome): void {
    if (outcome === 'granted') {
      this.stats.granted += 1;
      this.metrics.packetsGranted.inc({ source: request.source });
    } else if (outcome === 'duplicate-message' || outcome === 'version-mismatch') {
      this.stats.duplicates += 1;
      this.metrics.duplicatesSkipped.inc();
    } else if (outcome === 'already-decided') this.stats.alreadyDecided += 1;
    else this.stats.ineligible += 1;
  }
}

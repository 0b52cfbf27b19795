import { rewardFor } from '../../domain/reward-rule';
import type { GrantContext } from '../grant-context';
import type { GrantOutcome, GrantStrategy, RuledRequest } from '../grant.types';

/**
 * FOR COMPARISON ONLY. Credits the wallet on every delivery: at-least-once delivery becomes
 * at-least-once payment. (The packet row stays unique per order, so the double shows as a wallet
 * worth more than its packets.)
 */
export class NoDedupStrategy implements GrantStrategy {
  readonly name = 'none';

  constructor(private readonly context: GrantContext) {}

  grant(request: RuledRequest): Promise<GrantOutcome> {
    const { transactions, decisions, wallets } = this.context;
    return this.context.withOptimisticRetry(() =>
      transactions.run(async (manager): Promise<GrantOutcome> => {
        const amountCents = rewardFor(request, request.rule);
        await decisions.decideOnce(manager, { request, amountCents });
        if (amountCents === 0) return 'ineligible';
        await wallets.credit(manager, request.userId, amountCents);
        return 'granted';
      }),
    );
  }
}

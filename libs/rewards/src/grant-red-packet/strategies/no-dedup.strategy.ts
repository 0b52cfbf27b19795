import { rewardFor } from '../../domain/reward-rule';
import type { GrantContext } from '../grant-context';
import type { GrantOutcome, GrantRequest, GrantStrategy } from '../grant.types';

/**
 * FOR COMPARISON ONLY. Credits the wallet on every delivery: at-least-once delivery becomes
 * at-least-once payment. (The packet row stays unique per order, so the double shows as a wallet
 * worth more than its packets.)
 */
export class NoDedupStrategy implements GrantStrategy {
  readonly name = 'none';

  constructor(private readonly context: GrantContext) {}

  grant(request: GrantRequest): Promise<GrantOutcome> {
    const { transactions, packets, wallets, settings } = this.context;
    return this.context.withOptimisticRetry(() =>
      transactions.run(async (manager): Promise<GrantOutcome> => {
        const amountCents = rewardFor(request, settings.rule);
        if (amountCents === 0) return 'ineligible';
        await packets.insertOnce(manager, request, amountCents);
        await wallets.credit(manager, request.userId, amountCents);
        return 'granted';
      }),
    );
  }
}

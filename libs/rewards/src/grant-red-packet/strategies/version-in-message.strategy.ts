import { rewardFor } from '../../domain/reward-rule';
import type { GrantContext } from '../grant-context';
import type { GrantOutcome, GrantStrategy, RuledRequest } from '../grant.types';

/**
 * FOR COMPARISON ONLY. The textbook variant: the producer ships the wallet version it read, and the
 * consumer's guarded UPDATE uses it. A redelivery finds the version moved and is dropped — but so is
 * a DIFFERENT order of the same user that carried the same version: a lost reward.
 */
export class VersionInMessageStrategy implements GrantStrategy {
  readonly name = 'version-in-message';

  constructor(private readonly context: GrantContext) {}

  grant(request: RuledRequest): Promise<GrantOutcome> {
    const { transactions, decisions, wallets, outbox } = this.context;
    return transactions.run(async (manager): Promise<GrantOutcome> => {
      const amountCents = rewardFor(request, request.rule);
      if (amountCents === 0) return 'ineligible';
      await wallets.ensureWallet(manager, request.userId);
      const carried = BigInt(request.walletVersion ?? 0);
      if (!(await wallets.creditIfVersion(manager, request.userId, amountCents, carried))) return 'version-mismatch';
      const packet = (await decisions.decideOnce(manager, { request, amountCents }))?.packet;
      if (packet) await outbox.append(this.context.grantedEvent(request, amountCents, packet));
      return 'granted';
    });
  }
}

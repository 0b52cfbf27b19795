import { failpoint } from '@redpacket/failpoints';
import { rewardFor } from '../../domain/reward-rule';
import type { GrantContext } from '../grant-context';
import type { GrantOutcome, GrantStrategy, RuledRequest } from '../grant.types';

/**
 * FOR COMPARISON ONLY. Check the id, credit, then save the id — three separate transactions.
 * A crash after the credit and before the save, or two consumers checking at the same moment,
 * credits twice. The order's packet row stays unique; the double shows in the wallet.
 */
export class InboxWithoutTransactionStrategy implements GrantStrategy {
  readonly name = 'inbox-no-tx';

  constructor(private readonly context: GrantContext) {}

  async grant(request: RuledRequest): Promise<GrantOutcome> {
    const { dataSource, transactions, processed, decisions, wallets, outbox, settings } = this.context;
    if (
      request.eventId &&
      (await processed.wasProcessed(dataSource.manager, settings.consumerGroup, request.eventId))
    ) {
      return 'duplicate-message';
    }
    const outcome = await this.context.withOptimisticRetry(() =>
      transactions.run(async (manager): Promise<GrantOutcome> => {
        const amountCents = rewardFor(request, request.rule);
        const packet = (await decisions.decideOnce(manager, { request, amountCents }))?.packet;
        if (amountCents === 0) return 'ineligible';
        await wallets.credit(manager, request.userId, amountCents);
        if (packet) await outbox.append(this.context.grantedEvent(request, amountCents, packet));
        return 'granted';
      }),
    );
    await failpoint('grant.inbox-no-tx.before-save-id');
    if (request.eventId)
      await processed.markProcessed(dataSource.manager, settings.consumerGroup, request.eventId, request.delivery);
    return outcome;
  }
}

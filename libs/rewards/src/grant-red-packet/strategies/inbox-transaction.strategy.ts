import { failpoint } from '@redpacket/failpoints';
import { rewardFor } from '../../domain/reward-rule';
import type { GrantContext } from '../grant-context';
import { outcomeOfDecision } from '../reward-decision.repository';
import type { GrantOutcome, GrantStrategy, RuledRequest } from '../grant.types';

/**
 * The default, and the only strategy that survives every fault in the suite. ONE transaction:
 * 1. INSERT (group, event id) into processed_messages — a conflict is a redelivery, which only counts it: stop;
 * 2. INSERT the order's decision under the rule of its time, and its packet when granted — a conflict means
 *    the other path decided it: stop;
 * 3. credit the wallet with the version check — a lost race rolls back and retries it all;
 * 4. append RedPacketGranted to the outbox.
 * Either all of it commits or none of it, so no crash point can leave a credit without its record.
 */
export class InboxTransactionStrategy implements GrantStrategy {
  readonly name = 'inbox-tx';

  constructor(private readonly context: GrantContext) {}

  grant(request: RuledRequest): Promise<GrantOutcome> {
    const { transactions, processed, decisions, wallets, outbox, settings } = this.context;
    return this.context.withOptimisticRetry(() =>
      transactions.run(async (manager): Promise<GrantOutcome> => {
        const { eventId, delivery } = request;
        if (eventId && !(await processed.markProcessed(manager, settings.consumerGroup, eventId, delivery))) {
          return 'duplicate-message';
        }
        const amountCents = rewardFor(request, request.rule);
        const recorded = await decisions.decideOnce(manager, { request, amountCents });
        if (!recorded?.packet) return outcomeOfDecision(recorded, amountCents);
        await wallets.credit(manager, request.userId, amountCents);
        await outbox.append(this.context.grantedEvent(request, amountCents, recorded.packet));
        await failpoint('grant.before-commit');
        return 'granted';
      }),
    );
  }
}

import { failpoint } from '@redpacket/failpoints';
import { rewardFor } from '../../domain/reward-rule';
import type { GrantContext } from '../grant-context';
import type { GrantOutcome, GrantRequest, GrantStrategy } from '../grant.types';

/**
 * The default, and the only strategy that survives every fault in the suite. ONE transaction:
 * 1. INSERT (group, event id) into processed_messages — a conflict is a redelivery: stop;
 * 2. INSERT the order's packet — a conflict means the other path granted it: stop;
 * 3. credit the wallet with the version check — a lost race rolls back and retries it all;
 * 4. append RedPacketGranted to the outbox.
 * Either all of it commits or none of it, so no crash point can leave a credit without its record.
 */
export class InboxTransactionStrategy implements GrantStrategy {
  readonly name = 'inbox-tx';

  constructor(private readonly context: GrantContext) {}

  grant(request: GrantRequest): Promise<GrantOutcome> {
    const { transactions, processed, packets, wallets, outbox, settings } = this.context;
    return this.context.withOptimisticRetry(() =>
      transactions.run(async (manager): Promise<GrantOutcome> => {
        if (request.eventId && !(await processed.markProcessed(manager, settings.consumerGroup, request.eventId))) {
          return 'duplicate-message';
        }
        const amountCents = rewardFor(request, settings.rule);
        if (amountCents === 0) return 'ineligible';
        const packet = await packets.insertOnce(manager, request, amountCents);
        if (!packet) return 'already-granted';
        await wallets.credit(manager, request.userId, amountCents);
        await outbox.append(this.context.grantedEvent(request, amountCents, packet));
        await failpoint('grant.before-commit');
        return 'granted';
      }),
    );
  }
}

import type { Provider } from '@nestjs/common';
import { TransactionRunner } from '@redpacket/database';
import { Inbox, inboxLocation, OutboxWriter } from '@redpacket/outbox';
import { RewardRulesRepository } from '../reward-rules/reward-rules.repository';
import { RewardRuleBook } from '../reward-rules/reward-rule-book';
import { REWARDS_OPTIONS, type RewardsOptions } from '../rewards.options';
import { GrantContext, REWARDS_OUTBOX } from './grant-context';
import { GrantOnceService } from './grant-once.service';
import { emptyGrantStats, GRANT_STATS, GRANT_STRATEGY, type GrantStrategy } from './grant.types';
import { RewardDecisionRepository } from './reward-decision.repository';
import { InboxTransactionBatch } from './strategies/inbox-transaction-batch';
import { InboxTransactionStrategy } from './strategies/inbox-transaction.strategy';
import { InboxWithoutTransactionStrategy } from './strategies/inbox-without-transaction.strategy';
import { NoDedupStrategy } from './strategies/no-dedup.strategy';
import { VersionInMessageStrategy } from './strategies/version-in-message.strategy';
import { WalletRepository } from './wallet.repository';

const STRATEGIES: Record<RewardsOptions['strategy'], new (context: GrantContext) => GrantStrategy> = {
  'inbox-tx': InboxTransactionStrategy,
  none: NoDedupStrategy,
  'version-in-message': VersionInMessageStrategy,
  'inbox-no-tx': InboxWithoutTransactionStrategy,
};

/**
 * The grant path as providers: its repositories, the rule book, the context every strategy works with,
 * the strategy REWARD_STRATEGY names and the batched form, behind GrantOnceService.
 */
export function grantProviders(rewards: RewardsOptions): Provider[] {
  return [
    { provide: REWARDS_OPTIONS, useValue: rewards },
    { provide: GRANT_STATS, useFactory: emptyGrantStats },
    {
      provide: REWARDS_OUTBOX,
      inject: [TransactionRunner],
      useFactory: (transactions: TransactionRunner) => new OutboxWriter(transactions, rewards.outbox),
    },
    RewardRulesRepository,
    RewardRuleBook,
    WalletRepository,
    RewardDecisionRepository,
    // The processed-message ids of this app's consumer group, in the rewards schema.
    { provide: Inbox, useFactory: () => new Inbox(inboxLocation('rewards')) },
    GrantContext,
    {
      provide: GRANT_STRATEGY,
      inject: [GrantContext],
      useFactory: (context: GrantContext) => new STRATEGIES[rewards.strategy](context),
    },
    {
      provide: InboxTransactionBatch,
      inject: [GrantContext],
      useFactory: (c: GrantContext) => new InboxTransactionBatch(c),
    },
    GrantOnceService,
  ];
}

import { type DynamicModule, Module } from '@nestjs/common';
import { Metrics } from '@redpacket/observability';
import { READINESS_CHECK } from '@redpacket/platform';
import {
  CONSUMER_OPTIONS,
  type ConsumerOptions,
  OrderPurchasedConsumer,
} from './consume-orders/order-purchased.consumer';
import { PROBE_OBSERVER, type ProbeObserver } from './consume-orders/probe-observer';
import { GrantOnceService } from './grant-red-packet/grant-once.service';
import { grantProviders } from './grant-red-packet/grant-providers';
import { RewardRuleBook } from './reward-rules/reward-rule-book';
import { RewardRulesController } from './reward-rules/reward-rules.controller';
import { RewardRulesRepository } from './reward-rules/reward-rules.repository';
import { REWARDS_OPTIONS, type RewardsOptions } from './rewards.options';

@Module({})
export class RewardsModule {
  /** Only the grant path, for apps that grant without consuming (the reconciler). */
  static forGrants({ rewards }: { rewards: RewardsOptions }): DynamicModule {
    return {
      module: RewardsModule,
      providers: grantProviders(rewards),
      exports: [GrantOnceService, RewardRuleBook, RewardRulesRepository, REWARDS_OPTIONS],
    };
  }

  /**
   * The consumer and the grant path, and the rule timeline's admin API; probes the consumer reads go to
   * `probeObserver`. The app hosts the rewards outbox's relay itself (OutboxRelayModule).
   */
  static forRoot(options: {
    rewards: RewardsOptions;
    consumer: ConsumerOptions;
    probeObserver?: (metrics: Metrics) => ProbeObserver;
  }): DynamicModule {
    const { rewards, consumer, probeObserver } = options;
    return {
      module: RewardsModule,
      controllers: [RewardRulesController],
      providers: [
        ...grantProviders(rewards),
        { provide: CONSUMER_OPTIONS, useValue: consumer },
        ...(probeObserver ? [{ provide: PROBE_OBSERVER, inject: [Metrics], useFactory: probeObserver }] : []),
        OrderPurchasedConsumer,
        { provide: READINESS_CHECK, useExisting: OrderPurchasedConsumer },
      ],
      exports: [GrantOnceService, OrderPurchasedConsumer],
    };
  }
}

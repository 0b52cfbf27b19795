import { type DynamicModule, Module } from '@nestjs/common';
import { Metrics } from '@redpacket/observability';
import { READINESS_CHECK, type ReadinessCheck } from '@redpacket/platform';
import { OUTBOX_RELAY_OPTIONS, OutboxRelayService, type OutboxRelayServiceOptions } from '@redpacket/outbox';
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
  static forGrants(rewards: RewardsOptions): DynamicModule {
    return {
      module: RewardsModule,
      providers: grantProviders(rewards),
      exports: [GrantOnceService, RewardRuleBook, RewardRulesRepository, REWARDS_OPTIONS],
    };
  }

  /** The consumer, the grant path, the outbox relay and the rule timeline's admin API; probes the consumer reads go to `probeObserver`. */
  static forRoot(
    rewards: RewardsOptions,
    consumer: ConsumerOptions,
    relay: OutboxRelayServiceOptions,
    probeObserver?: (metrics: Metrics) => ProbeObserver,
  ): DynamicModule {
    return {
      module: RewardsModule,
      controllers: [RewardRulesController],
      providers: [
        ...grantProviders(rewards),
        { provide: CONSUMER_OPTIONS, useValue: consumer },
        { provide: OUTBOX_RELAY_OPTIONS, useValue: relay },
        ...(probeObserver ? [{ provide: PROBE_OBSERVER, inject: [Metrics], useFactory: probeObserver }] : []),
        OrderPurchasedConsumer,
        OutboxRelayService,
        {
          provide: READINESS_CHECK,
          inject: [OrderPurchasedConsumer, OutboxRelayService],
          useFactory: (...parts: ReadinessCheck[]) => parts,
        },
      ],
      exports: [GrantOnceService, OrderPurchasedConsumer],
    };
  }
}

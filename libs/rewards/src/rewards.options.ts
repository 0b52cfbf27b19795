import type { OutboxLocation } from '@redpacket/outbox';
import type { RewardRule } from './domain/reward-rule';
import type { GrantStrategyName } from './grant-red-packet/grant.types';

export const REWARDS_OPTIONS = Symbol('REWARDS_OPTIONS');

export interface RewardsOptions {
  strategy: GrantStrategyName;
  rule: RewardRule;
  /** The consumer group whose processed messages the inbox records. */
  consumerGroup: string;
  kafkaNamespace: string;
  maxOptimisticAttempts: number;
  outbox: OutboxLocation;
}

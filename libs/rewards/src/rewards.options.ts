import type { OutboxLocation } from '@redpacket/outbox';
import type { GrantStrategyName } from './grant-red-packet/grant.types';

export const REWARDS_OPTIONS = Symbol('REWARDS_OPTIONS');

export interface RewardsOptions {
  strategy: GrantStrategyName;
  /** The consumer group whose processed messages the inbox records. */
  consumerGroup: string;
  kafkaNamespace: string;
  maxOptimisticAttempts: number;
  outbox: OutboxLocation;
  /** The most a new rule may pay: a rule past these is refused, whoever holds the `rules` scope. */
  ruleLimits: RewardRuleLimits;
}

export interface RewardRuleLimits {
  /** Of the order's total, in basis points (2,000 = 20 %). */
  maxPercentBasisPoints: number;
  /** For one packet, in cents. */
  maxPacketCents: number;
}

import { Inject, Injectable } from '@nestjs/common';
import { namespaced, newEventId, RED_PACKET_GRANTED, type RedPacketGrantedV1, TOPICS } from '@redpacket/contracts';
import { TransactionRunner } from '@redpacket/database';
import { Inbox, type OutboxEvent, OutboxWriter } from '@redpacket/outbox';
import { Metrics } from '@redpacket/observability';
import { DataSource } from 'typeorm';
import { classifyError } from '@redpacket/errors';
import { REWARDS_OPTIONS, type RewardsOptions } from '../rewards.options';
import { OptimisticConflict, OptimisticConflictExhaustedError } from './grant.errors';
import { GRANT_STATS, type GrantRequest, type GrantStats } from './grant.types';
import { type GrantedPacket, RewardDecisionRepository } from './reward-decision.repository';
import { WalletRepository } from './wallet.repository';

/** The grant path's outbox: RedPacketGranted rows in the rewards schema, in the grant's transaction. */
export const REWARDS_OUTBOX = Symbol('REWARDS_OUTBOX');

/** What every grant strategy works with. */
@Injectable()
export class GrantContext {
  readonly settings: Pick<RewardsOptions, 'consumerGroup' | 'kafkaNamespace' | 'maxOptimisticAttempts'>;

  constructor(
    @Inject(DataSource) readonly dataSource: DataSource,
    @Inject(TransactionRunner) readonly transactions: TransactionRunner,
    @Inject(REWARDS_OUTBOX) readonly outbox: OutboxWriter,
    @Inject(WalletRepository) readonly wallets: WalletRepository,
    @Inject(RewardDecisionRepository) readonly decisions: RewardDecisionRepository,
    @Inject(Inbox) readonly processed: Inbox,
    @Inject(REWARDS_OPTIONS) options: RewardsOptions,
    @Inject(GRANT_STATS) readonly stats: GrantStats,
    @Inject(Metrics) readonly metrics: Metrics,
  ) {
    this.settings = {
      consumerGroup: options.consumerGroup,
      kafkaNamespace: options.kafkaNamespace,
      maxOptimisticAttempts: options.maxOptimisticAttempts,
    };
  }

  grantedEvent(request: GrantRequest, amountCents: number, packet: GrantedPacket): OutboxEvent {
    const payload: RedPacketGrantedV1 = {
      eventId: newEventId(),
      packetId: packet.packetId,
      orderId: request.orderId,
      userId: request.userId,
      amountCents,
      source: request.source,
      grantedAt: packet.grantedAt.toISOString(),
    };
    return {
      eventId: payload.eventId,
      topic: namespaced(this.settings.kafkaNamespace, TOPICS.redPacketGranted),
      key: request.userId,
      eventType: RED_PACKET_GRANTED,
      schemaVersion: 1,
      payload,
      ...(request.traceContext ? { traceContext: request.traceContext } : {}),
    };
  }

  /**
   * Runs a whole grant transaction again when it lost a race (its optimistic lock, or a deadlock Postgres
   * broke by aborting it), with jittered backoff, a bounded number of times; then gives up with a
   * retriable error (the message is not committed).
   */
  async withOptimisticRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!lostARace(error)) throw error;
        if (tries >= this.settings.maxOptimisticAttempts) throw new OptimisticConflictExhaustedError(tries);
        this.stats.optimisticRetries += 1;
        this.metrics.optimisticRetries.inc();
        await jitteredBackoff(tries);
      }
    }
  }
}

function lostARace(error: unknown): boolean {
  return error instanceof OptimisticConflict || classifyError(error).code === 'PG_40P01';
}

/** Full jitter: a random wait up to 5 ms × 2^tries, capped at 200 ms, so racing writers spread out. */
function jitteredBackoff(tries: number): Promise<void> {
  const ceiling = Math.min(200, 5 * 2 ** tries);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

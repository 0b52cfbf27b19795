import { namespaced, newEventId, RED_PACKET_GRANTED, type RedPacketGrantedV1, TOPICS } from '@redpacket/contracts';
import type { TransactionRunner } from '@redpacket/database';
import type { OutboxEvent, OutboxWriter } from '@redpacket/outbox';
import type { Metrics } from '@redpacket/observability';
import type { DataSource } from 'typeorm';
import { classifyError } from '@redpacket/errors';
import { OptimisticConflictExhaustedError } from './grant.errors';
import type { GrantRequest, GrantStats } from './grant.types';
import { ProcessedMessageRepository, type GrantedPacket, RewardDecisionRepository } from './reward-decision.repository';
import { OptimisticConflict } from './grant.errors';
import { WalletRepository } from './wallet.repository';

/** What every grant strategy works with. */
export class GrantContext {
  readonly wallets = new WalletRepository();
  readonly decisions = new RewardDecisionRepository();
  readonly processed = new ProcessedMessageRepository();

  constructor(
    readonly dataSource: DataSource,
    readonly transactions: TransactionRunner,
    readonly outbox: OutboxWriter,
    readonly settings: {
      consumerGroup: string;
      kafkaNamespace: string;
      maxOptimisticAttempts: number;
    },
    readonly stats: GrantStats,
    readonly metrics: Metrics,
  ) {}

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

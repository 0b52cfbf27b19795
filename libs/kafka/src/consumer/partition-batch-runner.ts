import { Logger } from '@nestjs/common';
import { classifyError } from '@redpacket/errors';
import { failpoint } from '@redpacket/failpoints';
import type { Metrics } from '@redpacket/observability';
import { kafkaErrorType } from '../kafka-errors';
import type { GroupConsumerFactory } from '../producer/kafka-clients';
import { type DueCommit, DueCommits } from './due-commits';
import type { ConsumedBatch, ConsumedMessage, GroupConsumer, GroupMembership } from './group-consumer';
import { OffsetWatermark } from './offset-watermark';
import type { PartitionPosition } from './partition-position';
import { PartitionPauses } from './partition-pauses';
import type { FailingPartition, RetryPolicy } from './partition-retry';

/** What a handler is given: the unfinished messages of one partition, and how to report progress. */
export interface PartitionWork {
  readonly position: PartitionPosition;
  /** Messages not finished yet in this ownership of the partition, in offset order. */
  readonly messages: readonly ConsumedMessage[];
  /** Marks messages finished (their effect committed, or parked in a dead-letter topic): committable. */
  finished(messages: readonly ConsumedMessage[]): void;
  /** False once the partition was taken away or the consumer is stopping: start nothing new. */
  canContinue(): boolean;
}

/**
 * The business side of a consumer. It deals with poison itself (a dead-letter topic) and throws for
 * anything else: a retriable error pauses the partition and retries from its first unfinished message;
 * a non-retriable one means nothing can move the partition on, and is fatal for the process.
 */
export interface PartitionHandler {
  handle(work: PartitionWork): Promise<void>;
}

export interface PartitionBatchRunnerOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  partitionsConsumedConcurrently: number;
  retry: RetryPolicy;
  /** Called once when the consumer can no longer work; the process should exit so a supervisor restarts it. */
  onFatal: (error: Error) => void;
  metrics?: Metrics;
}

export type ConsumerState = 'idle' | 'joining' | 'joined' | 'rejoining' | 'stopped' | 'failed';

export interface ConsumerHealth {
  ready: boolean;
  state: ConsumerState;
  group: string;
  topic: string;
  memberId?: string;
  assigned: number[];
  paused: number[];
  failing: FailingPartition[];
  /** Partitions whose finished work is not committed yet: their commit failed and is tried again. */
  commitsDue: DueCommit[];
  error?: string;
  /** While the member has not joined yet: why the last attempt to reach Kafka failed. */
  waitingFor?: string;
}

/**
 * Broker error types that mean "this partition is no longer yours" when committing (kafkajs #1046). A
 * coordinator that moved (NOT_COORDINATOR) is not one of them: the membership may hold, so the commit
 * stays due and goes to the new coordinator.
 */
const LOST_OWNERSHIP = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']);

/**
 * The Kafka mechanics every consumer of the system needs, around a small business handler:
 * - offsets committed only up to the watermark below which every message has finished;
 * - a heartbeat while the handler works, however long one attempt takes;
 * - a retriable failure pauses only its partition, for a growing delay, while the others flow and
 *   the member stays in its group; a partition failing past a bound is reported stuck (`PartitionPauses`);
 * - a commit refused after a rebalance is "someone else owns it now", never success; one that failed
 *   for another reason stays due and is tried again until it succeeds (`DueCommits`);
 * - on shutdown the batch in hand stops starting work, and what finished is committed;
 * - a crash the client will not restart from, or a handler failure nothing can retry, is fatal.
 *
 * It works through the GroupConsumer port, so it runs the same on either Kafka client.
 */
export class PartitionBatchRunner {
  private readonly logger: Logger;
  private readonly consumer: GroupConsumer;
  /** What has finished in this ownership of each partition. */
  private readonly watermarks = new Map<number, OffsetWatermark>();
  private readonly pauses: PartitionPauses;
  private readonly dueCommits: DueCommits;
  private state: ConsumerState = 'idle';
  private memberId: string | undefined;
  private assigned: number[] = [];
  private fatalError: Error | undefined;
  private readonly heartbeatIntervalMs: number;

  constructor(
    clients: GroupConsumerFactory,
    private readonly options: PartitionBatchRunnerOptions,
    private readonly handler: PartitionHandler,
  ) {
    this.logger = new Logger(`${PartitionBatchRunner.name}:${options.groupId}`);
    this.heartbeatIntervalMs = Math.floor(options.sessionTimeoutMs / 10);
    this.consumer = clients.groupConsumer({
      groupId: options.groupId,
      topic: options.topic,
      sessionTimeoutMs: options.sessionTimeoutMs,
      heartbeatIntervalMs: this.heartbeatIntervalMs,
      rebalanceTimeoutMs: options.sessionTimeoutMs * 2,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    });
    this.pauses = new PartitionPauses(this.consumer, options, this.logger, () => this.state !== 'failed');
    this.dueCommits = new DueCommits({ initialDelayMs: 250, maxDelayMs: this.heartbeatIntervalMs * 5 });
  }

  async start(): Promise<void> {
    this.state = 'joining';
    await this.consumer.start({
      eachBatch: (batch) => this.runBatch(batch),
      joined: (membership) => this.joined(membership),
      rebalancing: () => {
        if (this.state === 'joined') this.setState('rejoining');
      },
      crashed: (error, restart) => this.crashed(error, restart),
    });
  }

  /** Stop fetching, let the batch in hand finish what it started and commit it, then leave the group. */
  async stop(): Promise<void> {
    this.pauses.cancelResumes();
    this.dueCommits.clear();
    await this.consumer.stop();
    if (this.state !== 'failed') this.setState('stopped');
  }

  health(): ConsumerHealth {
    const failing = this.pauses.failing();
    return {
      ready: this.state === 'joined' && !failing.some((failure) => failure.stuck),
      state: this.state,
      group: this.options.groupId,
      topic: this.options.topic,
      memberId: this.memberId,
      assigned: this.assigned,
      paused: this.consumer.paused(),
      failing,
      commitsDue: this.dueCommits.list(),
      ...(this.fatalError ? { error: this.fatalError.message } : {}),
    };
  }

  private async runBatch(batch: ConsumedBatch): Promise<void> {
    const position = { topic: batch.topic, partition: batch.partition };
    if (this.state === 'failed') return;
    const watermark = this.watermarkOf(position.partition);
    if (batch.restarted) watermark.reset();
    const messages = unfinishedOf(watermark, batch.messages);
    if (messages.length === 0) return this.commitFinished(batch, watermark);

    let lostGroup = false;
    const canContinue = () => !lostGroup && batch.isActive() && this.state !== 'failed';
    const heartbeat = setInterval(() => {
      // During a rebalance the heartbeat fails: stop starting work so the member can rejoin in time.
      batch.heartbeat().catch(() => (lostGroup = true));
    }, this.heartbeatIntervalMs);
    let failure: unknown;
    try {
      await this.handler.handle({
        position,
        messages,
        canContinue,
        finished: (done) => {
          // Only what is still pending: a rejoin may have reset the bookkeeping under a handler that ran on.
          for (const { offset } of done) if (watermark.status(offset) === 'pending') watermark.complete(offset);
        },
      });
    } catch (error) {
      failure = error;
    } finally {
      clearInterval(heartbeat);
    }
    await this.commitFinished(batch, watermark);
    if (failure !== undefined) this.failed(position, failure);
    // Recovered only when the handler got through its work, not when it stopped early for a stop or a rebalance.
    else if (canContinue() && this.pauses.recovered(position)) this.updateReadyMetric();
  }

  private async commitFinished(batch: ConsumedBatch, watermark: OffsetWatermark): Promise<void> {
    const { topic, partition } = batch;
    const next = watermark.committable();
    if (next === undefined) return this.dueCommits.settled(partition);
    await failpoint('consumer.before-offset-commit');
    try {
      await batch.commit(next);
      watermark.markCommitted(next);
      this.dueCommits.settled(partition);
    } catch (error) {
      const type = kafkaErrorType(error);
      const message = asError(error).message;
      if (LOST_OWNERSHIP.has(type)) {
        // Someone else owns the partition now; it resumes from the last commit and the inbox absorbs the repeats.
        this.logger.warn('offset commit refused after a rebalance', { topic, partition, offset: next, type });
        return this.dueCommits.settled(partition);
      }
      this.logger.warn('offset commit failed; tried again until it succeeds', {
        topic,
        partition,
        offset: next,
        error: message,
      });
      this.dueCommits.failed(partition, message, () => this.retryCommit(batch, watermark));
    }
  }

  /** A due commit, again: only while the member still holds the partition and this ownership of it. */
  private async retryCommit(batch: ConsumedBatch, watermark: OffsetWatermark): Promise<void> {
    const current = this.watermarks.get(batch.partition) === watermark;
    if (!current || this.state === 'failed' || this.state === 'stopped')
      return this.dueCommits.settled(batch.partition);
    await this.commitFinished(batch, watermark).catch((error: unknown) =>
      this.dueCommits.failed(batch.partition, asError(error).message, () => this.retryCommit(batch, watermark)),
    );
  }

  private failed(position: PartitionPosition, error: unknown): void {
    const { code, retriable } = classifyError(error);
    if (!retriable) return this.fail(asError(error), { ...position, code });
    this.pauses.failed(position, code, error instanceof Error ? error.message : String(error));
    this.updateReadyMetric();
  }

  /** Nothing can move the consumer on: stop consuming everything, readiness false, and tell the owner once. */
  private fail(error: Error, context: Record<string, unknown> = {}): void {
    if (this.state === 'failed') return;
    this.fatalError = error;
    this.setState('failed');
    this.pauses.cancelResumes();
    this.dueCommits.clear();
    try {
      this.consumer.pauseAll();
    } catch {
      // Not running any more (the client crashed it): nothing to pause.
    }
    this.logger.error('consumer failed for good', { ...context, error: error.message });
    this.options.onFatal(error);
  }

  private joined({ memberId, assigned }: GroupMembership): void {
    this.memberId = memberId;
    this.assigned = assigned;
    // Both clients resume every partition from its committed offset after a join: so does the bookkeeping.
    this.dueCommits.clear();
    for (const [partition, watermark] of this.watermarks) {
      watermark.reset();
      if (!this.assigned.includes(partition)) this.watermarks.delete(partition);
    }
    this.pauses.keepOnly(this.assigned);
    if (this.state !== 'failed') this.setState('joined');
  }

  private crashed(error: Error, restart: boolean): void {
    this.logger.error('kafka consumer crashed', { error: error.message, restart });
    if (restart) this.setState('rejoining');
    else this.fail(error, { restart: false });
  }

  private watermarkOf(partition: number): OffsetWatermark {
    let watermark = this.watermarks.get(partition);
    if (!watermark) {
      watermark = new OffsetWatermark();
      this.watermarks.set(partition, watermark);
    }
    return watermark;
  }

  private setState(state: ConsumerState): void {
    this.state = state;
    this.updateReadyMetric();
  }

  private updateReadyMetric(): void {
    this.options.metrics?.consumerReady.set({ group: this.options.groupId }, this.health().ready ? 1 : 0);
  }
}

/** The batch's messages that are still work: new ones are tracked, finished ones (a fetch repeated after a pause) skipped. */
function unfinishedOf(watermark: OffsetWatermark, messages: readonly ConsumedMessage[]): ConsumedMessage[] {
  return messages.filter((message) => {
    const status = watermark.status(message.offset);
    if (status === 'new') watermark.track(message.offset);
    return status !== 'finished';
  });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

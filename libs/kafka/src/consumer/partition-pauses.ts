import type { Logger } from '@nestjs/common';
import type { Metrics } from '@redpacket/observability';
import type { GroupConsumer } from './group-consumer';
import type { PartitionPosition } from './partition-position';
import { type FailingPartition, PartitionRetry, type RetryPolicy } from './partition-retry';

export interface PartitionPausesOptions {
  groupId: string;
  retry: RetryPolicy;
  metrics?: Metrics;
}

interface PausedPartition {
  retry: PartitionRetry;
  resumeTimer?: NodeJS.Timeout;
}

/**
 * The retriable failures of one consumer's partitions. A failure pauses only its partition, for a delay
 * that grows with each failure in a row, then resumes it; the others flow and the member stays in its
 * group. A partition failing past the policy's bound is reported stuck (a log line and a gauge) until its
 * work goes through.
 */
export class PartitionPauses {
  private readonly partitions = new Map<number, PausedPartition>();

  constructor(
    private readonly consumer: GroupConsumer,
    private readonly options: PartitionPausesOptions,
    private readonly logger: Logger,
    /** False once the consumer failed for good: nothing is resumed then. */
    private readonly mayResume: () => boolean,
  ) {}

  /** Pauses the partition after a retriable failure and schedules its resume. */
  failed(position: PartitionPosition, code: string, message: string): void {
    const paused = this.pausedOf(position.partition);
    const { delayMs, becameStuck, attempts } = paused.retry.failed(code, message, Date.now());
    this.options.metrics?.consumerRetries.inc({ group: this.options.groupId, code });
    const context = { ...position, code, attempt: attempts, retryInMs: delayMs, error: message };
    this.logger.warn('retriable failure; partition paused for a retry', context);
    if (becameStuck) {
      this.logger.error('partition stuck: its work keeps failing', {
        ...context,
        stuckAfterMs: this.options.retry.stuckAfterMs,
      });
    }
    this.updateStuckMetric(position, paused.retry);
    this.consumer.pause(position.partition);
    clearTimeout(paused.resumeTimer);
    paused.resumeTimer = setTimeout(() => {
      paused.resumeTimer = undefined;
      if (!this.mayResume()) return;
      try {
        this.consumer.resume(position.partition);
      } catch (resumeError) {
        // The consumer restarted meanwhile (a crash the client recovers from): it fetches every partition again anyway.
        this.logger.warn('could not resume a partition', { ...position, error: (resumeError as Error).message });
      }
    }, delayMs);
  }

  /** The partition's work went through: its failures are forgotten. Returns whether it was failing. */
  recovered(position: PartitionPosition): boolean {
    const previous = this.partitions.get(position.partition)?.retry.succeeded();
    if (!previous) return false;
    this.logger.log('partition recovered', { ...position, attempts: previous.attempts, code: previous.code });
    this.options.metrics?.consumerPartitionStuck.remove({
      group: this.options.groupId,
      topic: position.topic,
      partition: String(position.partition),
    });
    return true;
  }

  /** The partitions failing now, stuck or not. */
  failing(): FailingPartition[] {
    return [...this.partitions.values()]
      .map(({ retry }) => retry.state())
      .filter((failure): failure is FailingPartition => failure !== undefined);
  }

  /** Forgets the partitions this member no longer owns. */
  keepOnly(assigned: readonly number[]): void {
    for (const [partition, paused] of this.partitions) {
      if (assigned.includes(partition)) continue;
      clearTimeout(paused.resumeTimer);
      this.partitions.delete(partition);
    }
  }

  /** No partition is resumed any more (the consumer stops or failed for good). */
  cancelResumes(): void {
    for (const paused of this.partitions.values()) clearTimeout(paused.resumeTimer);
  }

  private pausedOf(partition: number): PausedPartition {
    let paused = this.partitions.get(partition);
    if (!paused) {
      paused = { retry: new PartitionRetry(partition, this.options.retry) };
      this.partitions.set(partition, paused);
    }
    return paused;
  }

  private updateStuckMetric(position: PartitionPosition, retry: PartitionRetry): void {
    const failure = retry.state();
    if (!failure?.stuck) return;
    this.options.metrics?.consumerPartitionStuck.set(
      { group: this.options.groupId, topic: position.topic, partition: String(position.partition) },
      (Date.now() - failure.failingSinceMs) / 1_000,
    );
  }
}

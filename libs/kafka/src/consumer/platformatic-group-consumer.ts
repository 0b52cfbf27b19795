import { Consumer } from '@platformatic/kafka';
import type { KafkaClientOptions } from '../kafka-client.factory';
import { platformaticConnection } from '../platformatic-options';
import type { ConsumedBatch, GroupConsumer, GroupConsumerListener, GroupConsumerOptions } from './group-consumer';
import { type FetchedRecord, HeldMessages, type PartitionQueue } from './held-messages';
import { ReopeningStream } from './reopening-stream';

/**
 * The port on a @platformatic/kafka consumer. The library gives one stream of messages for all
 * partitions (`ReopeningStream`) and heartbeats on its own; this adapter cuts the stream into
 * per-partition batches.
 *
 * - Each partition's messages are held until committed (`HeldMessages`), so a delivery after a pause or
 *   a join starts again from the first uncommitted one; the stream has no per-partition pause, so it
 *   keeps fetching.
 * - Commits go through the consumer with the group's current generation; after a rebalance the
 *   broker refuses them, which the listener reads as "someone else owns it now".
 */
export class PlatformaticGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  private readonly stream: ReopeningStream;
  private listener: GroupConsumerListener | undefined;
  private readonly held = new HeldMessages();
  private readonly pausedPartitions = new Set<number>();
  private assigned = new Set<number>();
  private generation = 0;
  private rebalancing = false;
  private stopping = false;
  private halted = false;
  private delivering = 0;
  /** Delivery rounds so far: where the next round starts. */
  private rounds = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    options: KafkaClientOptions,
    private readonly groupOptions: GroupConsumerOptions,
  ) {
    this.consumer = new Consumer({
      ...platformaticConnection(options),
      groupId: groupOptions.groupId,
      sessionTimeout: groupOptions.sessionTimeoutMs,
      heartbeatInterval: groupOptions.heartbeatIntervalMs,
      rebalanceTimeout: groupOptions.rebalanceTimeoutMs,
      autocommit: false,
      maxWaitTime: 500,
      retries: 10,
      retryDelay: 250,
    });
    this.stream = new ReopeningStream(this.consumer, groupOptions.topic, {
      record: (record) => this.accept(record),
      reopened: () => this.joined(this.consumer.memberId ?? '', this.consumer.assignments ?? []),
      failed: (error, reopening) => {
        this.listener?.crashed(error, reopening);
        if (reopening) this.startRebalance();
      },
    });
  }

  /** May be called again after it failed (no broker answered): the listener is registered once. */
  async start(listener: GroupConsumerListener): Promise<void> {
    if (!this.listener) this.listen();
    this.listener = listener;
    // As kafkajs' connect: fails when no broker answers or the principal may not see the topic.
    await this.consumer.metadata({ topics: [this.groupOptions.topic] });
    this.stream.open();
  }

  private listen(): void {
    this.consumer.on('consumer:group:join', ({ memberId, assignments }) => this.joined(memberId, assignments ?? []));
    this.consumer.on('consumer:group:rebalance', () => this.startRebalance());
    this.consumer.on('consumer:group:rejoin', () => this.startRebalance());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.stream.close();
    await this.idle();
    await this.consumer.close();
  }

  pause(partition: number): void {
    this.pausedPartitions.add(partition);
  }

  resume(partition: number): void {
    this.pausedPartitions.delete(partition);
    const queue = this.held.queue(partition);
    if (queue) queue.due = true;
    this.deliver();
  }

  pauseAll(): void {
    this.halted = true;
    this.stream.halt();
  }

  paused(): number[] {
    return [...this.pausedPartitions].sort((a, b) => a - b);
  }

  private joined(memberId: string, assignments: { topic: string; partitions: number[] }[]): void {
    this.generation += 1;
    this.rebalancing = false;
    const mine = assignments.find((assignment) => assignment.topic === this.groupOptions.topic)?.partitions ?? [];
    this.assigned = new Set(mine);
    this.held.rejoined(this.assigned);
    if (this.held.drained) this.stream.resume();
    this.listener?.joined({ memberId, assigned: [...mine].sort((a, b) => a - b) });
    // The stream's fetch from the committed offset brings nothing new for them: deliver them now.
    this.deliver();
  }

  private startRebalance(): void {
    if (this.rebalancing) return;
    this.rebalancing = true;
    this.listener?.rebalancing();
  }

  private accept(record: FetchedRecord): void {
    if (record.topic !== this.groupOptions.topic || this.stopping || !this.assigned.has(record.partition)) return;
    if (!this.held.hold(record)) return;
    if (this.held.full) this.stream.pause();
    this.deliver();
  }

  /**
   * Starts a delivery for every partition that has something new, within the concurrency bound. Each
   * round starts one partition further on, so under steady load no partition waits behind the others.
   */
  private deliver(): void {
    if (this.stopping || this.halted || !this.listener) return;
    for (const [partition, queue] of this.held.rotated(this.rounds++)) {
      if (this.delivering >= this.groupOptions.partitionsConsumedConcurrently) return;
      if (!queue.due || queue.delivering || this.pausedPartitions.has(partition)) continue;
      void this.deliverPartition(partition, queue, this.listener);
    }
  }

  private async deliverPartition(partition: number, queue: PartitionQueue, listener: GroupConsumerListener) {
    queue.due = false;
    queue.delivering = true;
    this.delivering += 1;
    const batch = this.batchOf(partition, queue);
    queue.restarted = false;
    try {
      await listener.eachBatch(batch);
    } catch (error) {
      // The listener handles its own failures; one that escapes is a bug nothing here can retry.
      listener.crashed(error instanceof Error ? error : new Error(String(error)), false);
    } finally {
      queue.delivering = false;
      this.delivering -= 1;
      if (this.delivering === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
      this.deliver();
    }
  }

  private batchOf(partition: number, queue: PartitionQueue): ConsumedBatch {
    const { topic } = this.groupOptions;
    const generation = this.generation;
    const isActive = () =>
      !this.stopping &&
      !this.halted &&
      this.generation === generation &&
      !this.rebalancing &&
      this.assigned.has(partition);
    return {
      topic,
      partition,
      messages: [...queue.messages],
      restarted: queue.restarted,
      isActive,
      // The library heartbeats by itself; this tells a long handler whether its membership still holds.
      heartbeat: async () => {
        if (!isActive()) throw new Error(`partition ${topic}[${partition}] is rebalancing or no longer assigned`);
      },
      commit: async (nextOffset: string) => {
        const next = BigInt(nextOffset);
        await this.consumer.commit({ offsets: [{ topic, partition, offset: next, leaderEpoch: queue.leaderEpoch }] });
        const refetch = this.held.committed(partition, queue, next);
        if (this.held.drained) this.stream.resume();
        if (refetch && !this.stopping) this.stream.reopen(() => this.held.refetching());
      },
    };
  }

  private idle(): Promise<void> {
    if (this.delivering === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

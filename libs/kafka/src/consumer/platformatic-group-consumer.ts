import {
  Consumer,
  type Message,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
} from '@platformatic/kafka';
import type { KafkaClientOptions } from '../kafka-client.factory';
import { platformaticConnection } from '../platformatic-options';
import type {
  ConsumedBatch,
  ConsumedMessage,
  GroupConsumer,
  GroupConsumerListener,
  GroupConsumerOptions,
  IncomingHeaders,
} from './group-consumer';

type Record = Message<Buffer, Buffer, Buffer, Buffer>;

/** Stream errors in a row, with no message between them, after which the consumer gives up (a crash). */
const MAX_STREAM_RESTARTS = 10;
const STREAM_RESTART_DELAY_MS = 1_000;

/** Messages held for the listener, across partitions; past it the stream stops fetching until they drain. */
const MAX_HELD_MESSAGES = 10_000;
/**
 * Messages one partition may hold. Past it, the partition's newly fetched messages are dropped, and the
 * stream is opened again from the committed offsets once it has drained to half: one partition stuck in
 * retry never fills the shared hold and stops the others.
 */
const MAX_HELD_PER_PARTITION = 2_000;

/** One assigned partition's messages since its last commit, and its delivery state. */
interface PartitionQueue {
  /** Fetched and not committed yet, in offset order. */
  messages: ConsumedMessage[];
  lastOffset?: bigint;
  leaderEpoch: number;
  /** Something the listener has not been given yet: new messages, a resume, or a restart. */
  due: boolean;
  /** Messages past the partition's hold were dropped: none is taken until the stream is opened again. */
  truncated?: boolean;
  restarted: boolean;
  delivering: boolean;
}

/**
 * The port on a @platformatic/kafka consumer. The library gives one stream of messages for all
 * partitions and heartbeats on its own; this adapter cuts the stream into per-partition batches.
 *
 * - Each partition's messages are held until committed, so a delivery after a pause or a join starts
 *   again from the first uncommitted one; the stream has no per-partition pause, so it keeps fetching.
 * - A message fetched again is dropped: the one held already stands for it.
 * - Commits go through the consumer with the group's current generation; after a rebalance the
 *   broker refuses them, which the listener reads as "someone else owns it now".
 */
export class PlatformaticGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private starting: Promise<void> | undefined;
  private listener: GroupConsumerListener | undefined;
  private readonly queues = new Map<number, PartitionQueue>();
  private readonly pausedPartitions = new Set<number>();
  private assigned = new Set<number>();
  private generation = 0;
  private rebalancing = false;
  private stopping = false;
  private halted = false;
  private delivering = 0;
  private held = 0;
  private streamRestarts = 0;
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
  }

  /** May be called again after it failed (no broker answered): the listener is registered once. */
  async start(listener: GroupConsumerListener): Promise<void> {
    if (!this.listener) this.listen();
    this.listener = listener;
    // As kafkajs' connect: fails when no broker answers or the principal may not see the topic.
    await this.consumer.metadata({ topics: [this.groupOptions.topic] });
    this.consume(listener, false);
  }

  private listen(): void {
    this.consumer.on('consumer:group:join', ({ memberId, assignments }) => this.joined(memberId, assignments ?? []));
    this.consumer.on('consumer:group:rebalance', () => this.startRebalance());
    this.consumer.on('consumer:group:rejoin', () => this.startRebalance());
  }

  /**
   * Opens the stream. The join runs on, as under kafkajs: a group that refuses this member is a
   * crash, not a failed start. A stream the library ends with an error (a fetch that failed all its
   * retries, say a killed leader's) is opened again from the committed offsets, up to
   * MAX_STREAM_RESTARTS times in a row without a message in between. Opening it again joins the
   * group again, and that join may fail while the group's coordinator moves to a live broker: it is
   * tried again the same way, not a crash.
   */
  private consume(listener: GroupConsumerListener, reopening: boolean): void {
    this.starting = this.consumer
      .consume({
        topics: [this.groupOptions.topic],
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: MessagesStreamFallbackModes.EARLIEST,
        autocommit: false,
        maxWaitTime: 500,
      })
      .then(
        (stream) => {
          this.attach(stream, listener);
          // The member and its partitions are unchanged; the bookkeeping starts over with the new stream.
          if (reopening) this.joined(this.consumer.memberId ?? '', this.consumer.assignments ?? []);
        },
        (error: unknown) => {
          if (this.stopping) return;
          const failure = error instanceof Error ? error : new Error(String(error));
          if (reopening) this.reopenLater(listener, failure);
          else listener.crashed(failure, false);
        },
      );
  }

  /** Reports the failure and opens the stream again after a pause, while restarts are left. */
  private reopenLater(listener: GroupConsumerListener, error: Error): void {
    const reopen = this.streamRestarts < MAX_STREAM_RESTARTS && !this.halted;
    listener.crashed(error, reopen);
    if (!reopen) return;
    this.streamRestarts += 1;
    this.startRebalance();
    setTimeout(() => {
      if (!this.stopping && !this.halted) this.consume(listener, true);
    }, STREAM_RESTART_DELAY_MS).unref();
  }

  private attach(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>, listener: GroupConsumerListener): void {
    this.stream = stream;
    // Only the current stream's messages count: one closed to be opened again may still be emptying.
    stream.on('data', (record: Record) => {
      if (this.stream === stream) this.accept(record);
    });
    stream.on('error', (error: Error) => {
      if (this.stopping || this.stream !== stream) return;
      this.stream = undefined;
      this.reopenLater(listener, error);
    });
    if (this.stopping || this.halted) stream.pause();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.starting;
    await this.stream?.close();
    await this.idle();
    await this.consumer.close();
  }

  pause(partition: number): void {
    this.pausedPartitions.add(partition);
  }

  resume(partition: number): void {
    this.pausedPartitions.delete(partition);
    const queue = this.queues.get(partition);
    if (queue) queue.due = true;
    this.deliver();
  }

  pauseAll(): void {
    this.halted = true;
    this.stream?.pause();
  }

  paused(): number[] {
    return [...this.pausedPartitions].sort((a, b) => a - b);
  }

  private joined(memberId: string, assignments: { topic: string; partitions: number[] }[]): void {
    this.generation += 1;
    this.rebalancing = false;
    const mine = assignments.find((assignment) => assignment.topic === this.groupOptions.topic)?.partitions ?? [];
    this.assigned = new Set(mine);
    // Partitions kept through the rebalance keep their messages since the last commit: the runner
    // starts its bookkeeping over after a join, so they are delivered again from the first of them.
    // Dropping them would be a loss: a fetch sent before the join can land after it, past messages
    // that were delivered and not finished, and finishing those later ones would commit past them.
    for (const [partition, queue] of [...this.queues]) {
      if (!this.assigned.has(partition)) this.forget(partition);
      else Object.assign(queue, { due: true, restarted: true });
    }
    this.listener?.joined({ memberId, assigned: [...mine].sort((a, b) => a - b) });
    // The stream's fetch from the committed offset brings nothing new for them: deliver them now.
    this.deliver();
  }

  private startRebalance(): void {
    if (this.rebalancing) return;
    this.rebalancing = true;
    this.listener?.rebalancing();
  }

  private accept(record: Record): void {
    if (record.topic !== this.groupOptions.topic || this.stopping || !this.assigned.has(record.partition)) return;
    const offset = record.offset;
    let queue = this.queues.get(record.partition);
    // Fetched again (the stream goes back to the committed offset after a join): what is held already
    // stays as it is, and anything below it was committed by this member.
    if (queue?.lastOffset !== undefined && offset <= queue.lastOffset) return;
    if (queue?.truncated) return;
    if (queue && queue.messages.length >= MAX_HELD_PER_PARTITION) {
      queue.truncated = true;
      return;
    }
    if (!queue) {
      queue = { messages: [], leaderEpoch: -1, due: false, restarted: true, delivering: false };
      this.queues.set(record.partition, queue);
    }
    queue.messages.push(consumedMessageOf(record));
    this.streamRestarts = 0;
    queue.lastOffset = offset;
    queue.leaderEpoch = record.leaderEpoch;
    queue.due = true;
    this.held += 1;
    if (this.held >= MAX_HELD_MESSAGES) this.stream?.pause();
    this.deliver();
  }

  /**
   * Starts a delivery for every partition that has something new, within the concurrency bound. Each
   * round starts one partition further on, so under steady load no partition waits behind the others.
   */
  private deliver(): void {
    if (this.stopping || this.halted || !this.listener) return;
    const queues = [...this.queues];
    const start = this.rounds++ % Math.max(1, queues.length);
    for (const [partition, queue] of [...queues.slice(start), ...queues.slice(0, start)]) {
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
        if (this.queues.get(partition) !== queue) return;
        const before = queue.messages.length;
        queue.messages = queue.messages.filter((message) => BigInt(message.offset) >= next);
        this.release(before - queue.messages.length);
        if (queue.truncated && queue.messages.length <= MAX_HELD_PER_PARTITION / 2) this.fetchAgain();
      },
    };
  }

  /**
   * Opens the stream again from the committed offsets, to fetch what a full partition dropped: what is
   * held already is recognised and dropped, and the dropped messages come again, in order, without a gap.
   */
  private fetchAgain(): void {
    const stream = this.stream;
    if (!stream || !this.listener || this.stopping) return;
    this.stream = undefined;
    const listener = this.listener;
    void stream
      .close()
      .catch(() => undefined)
      .then(() => {
        for (const queue of this.queues.values()) queue.truncated = false;
        if (!this.stopping) this.consume(listener, true);
      });
  }

  private forget(partition: number): void {
    const queue = this.queues.get(partition);
    if (!queue) return;
    this.queues.delete(partition);
    this.release(queue.messages.length);
  }

  private release(count: number): void {
    this.held -= count;
    if (this.held < MAX_HELD_MESSAGES / 2 && !this.halted && !this.stopping && this.stream?.isPaused())
      this.stream.resume();
  }

  private idle(): Promise<void> {
    if (this.delivering === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

function consumedMessageOf(record: Record): ConsumedMessage {
  const headers: IncomingHeaders = {};
  for (const [name, value] of record.headerEntries) {
    const key = name.toString();
    const previous = headers[key];
    if (previous === undefined) headers[key] = value;
    else headers[key] = [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return {
    key: record.key ?? null,
    value: record.value ?? null,
    headers,
    offset: record.offset.toString(),
    timestamp: record.timestamp.toString(),
  };
}

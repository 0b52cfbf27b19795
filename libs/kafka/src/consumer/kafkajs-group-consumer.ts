import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { GroupConsumer, GroupConsumerListener, GroupConsumerOptions } from './group-consumer';

/**
 * The port on a kafkajs consumer: `eachBatch` with manual resolution and commits. kafkajs fetches a
 * paused partition again from its last resolved offset once resumed, and every partition from its
 * committed offset after a join, which the listener hears of through `joined`.
 */
export class KafkajsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;
  private listening = false;

  constructor(
    kafka: Kafka,
    private readonly options: GroupConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      // The broker answers a fetch as soon as a message arrives; this only bounds idle round trips.
      maxWaitTimeInMs: 500,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      retry: { retries: 10 },
    });
  }

  /** May be called again after it failed (no broker answered): the listener is registered once. */
  async start(listener: GroupConsumerListener): Promise<void> {
    if (!this.listening) this.listen(listener);
    this.listening = true;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => listener.eachBatch(this.batchOf(payload)),
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  pause(partition: number): void {
    this.consumer.pause([{ topic: this.options.topic, partitions: [partition] }]);
  }

  resume(partition: number): void {
    this.consumer.resume([{ topic: this.options.topic, partitions: [partition] }]);
  }

  pauseAll(): void {
    this.consumer.pause([{ topic: this.options.topic }]);
  }

  paused(): number[] {
    return this.consumer.paused().flatMap((entry) => entry.partitions);
  }

  private batchOf(payload: EachBatchPayload) {
    const { topic, partition, messages } = payload.batch;
    return {
      topic,
      partition,
      messages,
      restarted: false,
      heartbeat: () => payload.heartbeat(),
      isActive: () => payload.isRunning() && !payload.isStale(),
      commit: async (nextOffset: string) => {
        payload.resolveOffset((BigInt(nextOffset) - 1n).toString());
        // Through the payload, not consumer.commitOffsets: kafkajs skips the latter once stop() began.
        await payload.commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset: nextOffset }] }],
        });
      },
    };
  }

  private listen(listener: GroupConsumerListener): void {
    const { GROUP_JOIN, REBALANCING, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) =>
      listener.joined({
        memberId: payload.memberId,
        assigned: payload.memberAssignment[this.options.topic] ?? [],
      }),
    );
    this.consumer.on(REBALANCING, () => listener.rebalancing());
    this.consumer.on(CRASH, ({ payload }) => listener.crashed(payload.error, payload.restart));
  }
}

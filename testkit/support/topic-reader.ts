import { EVENT_HEADERS } from '@redpacket/contracts';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';

export type ReadMessage = KafkaMessage & { topic: string; partition: number };

/**
 * Reads a topic from the beginning in a group of its own and lets a test wait for a condition on
 * what has arrived: checked on every message, failing at the deadline with what was found.
 */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  private waiters: (() => void)[] = [];
  /** The highest offset read, per partition. */
  private readonly readUpTo = new Map<number, bigint>();

  private constructor(
    private readonly consumer: Consumer,
    private readonly topic: string,
  ) {}

  static async start(kafka: Kafka, topic: string, groupId: string): Promise<TopicReader> {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const reader = new TopicReader(consumer, topic);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic: t, partition, message }) => {
        reader.messages.push({ ...message, topic: t, partition });
        reader.readUpTo.set(partition, BigInt(message.offset));
        for (const notify of reader.waiters) notify();
      },
    });
    return reader;
  }

  eventIds(): string[] {
    return this.messages.map((m) => m.headers?.[EVENT_HEADERS.eventId]?.toString() ?? '');
  }

  countOf(eventId: string): number {
    return this.eventIds().filter((id) => id === eventId).length;
  }

  waitFor(description: string, condition: (messages: ReadMessage[]) => boolean, timeoutMs = 30_000): Promise<void> {
    if (condition(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition(this.messages)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${description}; ${this.messages.length} message(s) read`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
    });
  }

  /** Waits until every given event id has been read at least once. */
  waitForEvents(eventIds: string[], timeoutMs = 30_000): Promise<void> {
    return this.waitFor(
      `${eventIds.length} event(s)`,
      () => {
        const seen = new Set(this.eventIds());
        return eventIds.every((id) => seen.has(id));
      },
      timeoutMs,
    );
  }

  /** Waits until everything the topic holds now has been read: each partition up to its current end. */
  async waitForEndOfTopic(admin: Admin, timeoutMs = 30_000): Promise<void> {
    const ends = (await admin.fetchTopicOffsets(this.topic)).filter((p) => BigInt(p.high) > BigInt(p.low));
    const lastOffsetRead = (partition: number) => this.readUpTo.get(partition) ?? -1n;
    await this.waitFor(
      `the end of ${this.topic}`,
      () => ends.every((end) => lastOffsetRead(end.partition) >= BigInt(end.high) - 1n),
      timeoutMs,
    );
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

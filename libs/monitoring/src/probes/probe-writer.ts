import type { IdempotentProducer } from '@redpacket/kafka';
import type { Admin } from 'kafkajs';
import type { SentProbe } from './pending-probes';
import { probeMessage } from './probe-message';

const PARTITIONS_REFRESH_MS = 60_000;

/** Writes one timestamped probe into every partition of a topic, in one send. */
export class ProbeWriter {
  private partitions: number[] = [];
  private partitionsReadAt = -Infinity;

  constructor(
    private readonly producer: IdempotentProducer,
    private readonly admin: Admin,
    private readonly topic: string,
    readonly writerId: string,
  ) {}

  async writeAll(): Promise<SentProbe[]> {
    const partitions = await this.topicPartitions();
    const sentAtMs = Date.now();
    const written = await this.producer.send(
      this.topic,
      partitions.map((partition) => probeMessage(this.writerId, partition, sentAtMs)),
    );
    return written.map((record) => ({
      partition: record.partition,
      offset: BigInt(record.baseOffset ?? '-1'),
      sentAtMs,
    }));
  }

  /** Partitions can be added to a topic: the list is read again every minute. */
  private async topicPartitions(): Promise<number[]> {
    if (Date.now() - this.partitionsReadAt < PARTITIONS_REFRESH_MS) return this.partitions;
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [this.topic] });
    this.partitions = (topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
    this.partitionsReadAt = Date.now();
    return this.partitions;
  }
}

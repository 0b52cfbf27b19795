import type { EventProducer, KafkaAdmin } from '@redpacket/kafka';
import type { SentProbe } from './pending-probes';
import { probeMessage } from './probe-message';

const PARTITIONS_REFRESH_MS = 60_000;

/** Where probes come from: the order service's writer, or the monitor's client of it. */
export interface ProbeSource {
  writeAll(writerId: string): Promise<SentProbe[]>;
}

/** Writes one timestamped probe into every partition of a topic, in one send. */
export class ProbeWriter implements ProbeSource {
  private partitions: number[] = [];
  private partitionsReadAt = -Infinity;

  constructor(
    private readonly producer: EventProducer,
    private readonly admin: Pick<KafkaAdmin, 'partitionsOf'>,
    private readonly topic: string,
  ) {}

  async writeAll(writerId: string): Promise<SentProbe[]> {
    const partitions = await this.topicPartitions();
    const sentAtMs = Date.now();
    const written = await this.producer.send(
      this.topic,
      partitions.map((partition) => probeMessage(writerId, partition, sentAtMs)),
    );
    return written.map((record) => ({
      partition: record.partition,
      offset: BigInt(record.baseOffset),
      sentAtMs,
    }));
  }

  /** Partitions can be added to a topic: the list is read again every minute. */
  private async topicPartitions(): Promise<number[]> {
    if (Date.now() - this.partitionsReadAt < PARTITIONS_REFRESH_MS) return this.partitions;
    this.partitions = await this.admin.partitionsOf(this.topic);
    this.partitionsReadAt = Date.now();
    return this.partitions;
  }
}

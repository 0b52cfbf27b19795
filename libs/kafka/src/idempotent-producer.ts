import { RedpacketError } from '@redpacket/errors';
import { type Kafka, type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { breaksProducerSession } from './kafka-errors';

/**
 * A kafkajs idempotent producer (acks=all, one request in flight) whose sends are serialized:
 * concurrent sends on one idempotent kafkajs producer can fail with OUT_OF_ORDER_SEQUENCE_NUMBER
 * (kafkajs #598). The broker drops batches it already wrote within this producer session;
 * across sessions the event id in the message is what lets consumers deduplicate.
 */
export class IdempotentProducer {
  private producer: Producer;
  private connected = false;
  private tail: Promise<unknown> = Promise.resolve();
  /** Partitions the messages of the send in progress were routed to (sends are serialized). */
  private readonly routed = new Set<number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly retries = 5,
  ) {
    this.producer = this.createProducer();
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2, as the Java client: a key maps to the same partition whichever client wrote it.
      createPartitioner: () => {
        const partitioner = Partitioners.DefaultPartitioner();
        return (args) => {
          const partition = partitioner(args);
          this.routed.add(partition);
          return partition;
        };
      },
      retry: { retries: this.retries, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }

  send(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    const sending = this.tail.then(() => this.sendNow(topic, messages));
    this.tail = sending.catch(() => undefined);
    return sending;
  }

  private async sendNow(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    try {
      this.routed.clear(); // kafkajs calls the partitioner for every message, explicit partitions included
      const records = await this.producer.send({ topic, messages, acks: -1 });
      assertEveryPartitionAcknowledged(topic, this.routed, records);
      return records;
    } catch (error) {
      // After an unclean broker restart the broker may have lost this session's sequence state;
      // kafkajs would then fail every later send. Start a new session (new producer id) for the next one.
      if (breaksProducerSession(error) && this.connected) await this.renewSession();
      throw error;
    }
  }

  private async renewSession(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    this.producer = this.createProducer();
    await this.producer.connect();
  }
}

/**
 * kafkajs 2.2.4 can resolve a send although some of its messages were never written (kafkajs
 * #1303): a retry resends only to brokers that have not answered yet, so partitions whose leader
 * died and moved to a broker that already answered are silently skipped. A send only counts when
 * every partition it was routed to is acknowledged; otherwise it fails, and the caller (the outbox
 * relay) sends the batch again. The repeats are duplicates the consumer absorbs, never losses.
 */
export function assertEveryPartitionAcknowledged(
  topic: string,
  routed: ReadonlySet<number>,
  records: RecordMetadata[],
): void {
  const acknowledged = new Set(
    records.filter((r) => r.topicName === topic && r.errorCode === 0).map((r) => r.partition),
  );
  const missing = [...routed].filter((partition) => !acknowledged.has(partition));
  if (missing.length > 0) {
    throw new UnacknowledgedPartitionsError(topic, missing);
  }
}

export class UnacknowledgedPartitionsError extends RedpacketError {
  readonly code = 'UNACKNOWLEDGED_PARTITIONS';
  readonly retriable = true;

  constructor(
    readonly topic: string,
    readonly partitions: number[],
  ) {
    super(`send reported success but ${topic} partition(s) ${partitions.join(', ')} were not acknowledged`);
  }
}

import { failpoint } from '@redpacket/failpoints';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { breaksProducerSession } from '../kafka-errors';
import {
  assertEveryPartitionAcknowledged,
  type EventProducer,
  type OutgoingMessage,
  type PartitionAck,
  withRouting,
} from './event-producer';

/**
 * The port on a kafkajs idempotent producer (acks=all, one request in flight) whose sends are
 * serialized: concurrent sends on one idempotent kafkajs producer can fail with
 * OUT_OF_ORDER_SEQUENCE_NUMBER (kafkajs #598).
 */
export class KafkajsEventProducer implements EventProducer {
  private producer: Producer;
  private connected = false;
  /** The broker lost this producer's sequence state: the next send needs a new producer. */
  private sessionBroken = false;
  private tail: Promise<unknown> = Promise.resolve();
  /** The partition each message of the send in progress was routed to (sends are serialized). */
  private readonly routed = new Map<object, number>();

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
          this.routed.set(args.message, partition);
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

  send(topic: string, messages: OutgoingMessage[]): Promise<PartitionAck[]> {
    const sending = this.tail.then(() => this.sendNow(topic, messages));
    this.tail = sending.catch(() => undefined);
    return sending;
  }

  private async sendNow(topic: string, messages: OutgoingMessage[]): Promise<PartitionAck[]> {
    try {
      if (this.sessionBroken) await this.renewSession();
      if (this.connected) await sessionLostAt('kafkajs-producer.session-lost');
      this.routed.clear(); // kafkajs calls the partitioner for every message, explicit partitions included
      const records = await this.producer.send({ topic, messages: messages, acks: -1 });
      const acks = records.map((record) => ({ ...record, topic: record.topicName }));
      assertEveryPartitionAcknowledged(topic, new Set(this.routed.values()), acks);
      return records.map((record) => ({
        topic: record.topicName,
        partition: record.partition,
        baseOffset: record.baseOffset ?? '-1',
      }));
    } catch (error) {
      // After an unclean broker restart the broker may have lost this session's sequence state;
      // kafkajs would then fail every later send. The next send starts a new session (new producer id).
      if (breaksProducerSession(error) && this.connected) this.sessionBroken = true;
      throw withRouting(
        error,
        messages.map((message) => this.routed.get(message)),
      );
    }
  }

  /**
   * Replaces the producer. A new one that fails to connect (the broker still away) leaves the session
   * broken, so every later send tries again, at the pace of its caller's backoff, until one connects:
   * the adapter never keeps a producer that never connected.
   */
  private async renewSession(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    this.producer = this.createProducer();
    await this.producer.connect();
    this.sessionBroken = false;
  }
}

/**
 * A real broker forgets a producer's session only around an unclean restart, which a test cannot cause
 * on demand; this failpoint answers a send as such a broker would (UNKNOWN_PRODUCER_ID).
 */
async function sessionLostAt(name: string): Promise<void> {
  try {
    await failpoint(name);
  } catch (error) {
    throw Object.assign(new Error('The broker lost this producer session', { cause: error }), {
      type: 'UNKNOWN_PRODUCER_ID',
    });
  }
}

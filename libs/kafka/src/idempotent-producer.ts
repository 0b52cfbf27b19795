import { type Kafka, type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';

/**
 * A kafkajs idempotent producer (acks=all, one request in flight) whose sends are serialized:
 * concurrent sends on one idempotent kafkajs producer can fail with OUT_OF_ORDER_SEQUENCE_NUMBER
 * (kafkajs #598). The broker drops batches it already wrote within this producer session;
 * across sessions the event id in the message is what lets consumers deduplicate.
 */
export class IdempotentProducer {
  private readonly producer: Producer;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(kafka: Kafka, retries = 5) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2, as the Java client: a key maps to the same partition whichever client wrote it.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  send(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    const sending = this.tail.then(() => this.producer.send({ topic, messages, acks: -1 }));
    this.tail = sending.catch(() => undefined);
    return sending;
  }
}

import type { KafkaClientName } from '@redpacket/config';
import type { Kafka } from 'kafkajs';
import type { KafkaClientOptions } from '../kafka-client.factory';
import type { EventProducer } from './event-producer';
import { KafkajsEventProducer } from './kafkajs-producer';
import { PlatformaticEventProducer } from './platformatic-producer';

/**
 * What the apps get from libs/kafka: producers behind the port, built by the client `KAFKA_CLIENT`
 * names. Consumers and admin calls still use the kafkajs client, `kafka`.
 */
export class KafkaClients {
  constructor(
    readonly client: KafkaClientName,
    private readonly options: KafkaClientOptions,
    readonly kafka: Kafka,
  ) {}

  /** An idempotent producer (acks=all); `retries` bounds the library's own retries of one send. */
  idempotentProducer(retries = 5): EventProducer {
    return this.client === 'platformatic'
      ? new PlatformaticEventProducer(this.options, retries)
      : new KafkajsEventProducer(this.kafka, retries);
  }
}

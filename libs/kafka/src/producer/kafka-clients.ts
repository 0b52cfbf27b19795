import type { KafkaClientName } from '@redpacket/config';
import type { Kafka } from 'kafkajs';
import type { GroupConsumer, GroupConsumerOptions } from '../consumer/group-consumer';
import { KafkajsGroupConsumer } from '../consumer/kafkajs-group-consumer';
import { PlatformaticGroupConsumer } from '../consumer/platformatic-group-consumer';
import type { KafkaClientOptions } from '../kafka-client.factory';
import { KafkajsEventProducer } from './kafkajs-producer';
import { PlatformaticEventProducer } from './platformatic-producer';
import { TrackedEventProducer } from './tracked-producer';

/** Builds group consumers behind the port. */
export interface GroupConsumerFactory {
  groupConsumer(options: GroupConsumerOptions): GroupConsumer;
}

/**
 * What the apps get from libs/kafka: producers and group consumers behind the ports, built by the
 * client `KAFKA_CLIENT` names. Admin calls still use the kafkajs client, `kafka`.
 */
export class KafkaClients implements GroupConsumerFactory {
  constructor(
    readonly client: KafkaClientName,
    private readonly options: KafkaClientOptions,
    readonly kafka: Kafka,
  ) {}

  /** An idempotent producer (acks=all); `retries` bounds the library's own retries of one send. */
  idempotentProducer(retries = 5): TrackedEventProducer {
    return new TrackedEventProducer(
      this.client === 'platformatic'
        ? new PlatformaticEventProducer(this.options, retries)
        : new KafkajsEventProducer(this.kafka, retries),
    );
  }

  /** A member of a consumer group with manual commits (see GroupConsumer). */
  groupConsumer(options: GroupConsumerOptions): GroupConsumer {
    return this.client === 'platformatic'
      ? new PlatformaticGroupConsumer(this.options, options)
      : new KafkajsGroupConsumer(this.kafka, options);
  }
}

import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { BaseConfig, minInsyncReplicas } from '@redpacket/config';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { KafkaAdmin } from './kafka-admin.service';
import { ensureTopics, type TopicSpec } from './topic-bootstrap';

/**
 * Room on the dead-letter topic for any message its source topic accepted (the broker default is about
 * 1 MiB) plus the headers that say why: a dead letter Kafka refuses would stop the partition.
 */
export const DEAD_LETTER_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export function systemTopics(config: BaseConfig): TopicSpec[] {
  const replicationFactor = config.KAFKA_REPLICATION_FACTOR;
  const durability = { 'min.insync.replicas': String(minInsyncReplicas(config)) };
  const topic = (name: string, numPartitions: number): TopicSpec => ({
    topic: namespaced(config.KAFKA_NAMESPACE, name),
    numPartitions,
    replicationFactor,
    config: durability,
  });
  return [
    topic(TOPICS.orderPurchased, config.ORDER_TOPIC_PARTITIONS),
    {
      ...topic(TOPICS.orderPurchasedDeadLetter, 1),
      config: { ...durability, 'max.message.bytes': String(DEAD_LETTER_MAX_MESSAGE_BYTES) },
    },
    topic(TOPICS.redPacketGranted, config.ORDER_TOPIC_PARTITIONS),
  ];
}

/** Every app makes sure the system's topics exist before it produces or consumes. */
@Injectable()
export class SystemTopicsBootstrap implements OnModuleInit {
  private readonly logger = new Logger(SystemTopicsBootstrap.name);

  constructor(
    @Inject(KafkaAdmin) private readonly kafkaAdmin: KafkaAdmin,
    @Inject(BaseConfig) private readonly config: BaseConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const created = await this.kafkaAdmin.withAdmin((admin) => ensureTopics(admin, systemTopics(this.config)));
    if (created.length > 0) this.logger.log('created topics', { topics: created });
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BaseConfig, minInsyncReplicas } from '@redpacket/config';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { reportFatal } from '@redpacket/observability';
import { keepTrying, StoppedTrying } from './connection/keep-trying';
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

/**
 * Every app makes sure the system's topics exist before it produces or consumes, without waiting for it
 * at boot: with Kafka away the app starts, and whatever needs the topics waits on `whenEnsured()`, which
 * keeps trying in the background until Kafka answers. A topic Kafka has with fewer partitions than
 * configured cannot be fixed by waiting: that is fatal for the process.
 */
@Injectable()
export class SystemTopicsBootstrap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SystemTopicsBootstrap.name);
  private readonly stopping = new AbortController();
  private ensured: Promise<void> | undefined;
  private done = false;
  private lastError: string | undefined;

  constructor(
    @Inject(KafkaAdmin) private readonly kafkaAdmin: KafkaAdmin,
    @Inject(BaseConfig) private readonly config: BaseConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.whenEnsured().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  /** Resolves once the topics exist; rejects only on shutdown or on a fault waiting cannot fix. */
  whenEnsured(): Promise<void> {
    this.ensured ??= this.ensure();
    return this.ensured;
  }

  /** Whether the topics are known to exist, and while they are not, why (Kafka unreachable, ...). */
  state(): { ensured: boolean; error?: string } {
    return this.done ? { ensured: true } : { ensured: false, ...(this.lastError ? { error: this.lastError } : {}) };
  }

  private async ensure(): Promise<void> {
    try {
      const created = await keepTrying(
        () => this.kafkaAdmin.withAdmin((admin) => ensureTopics(admin, systemTopics(this.config))),
        {
          what: 'ensuring the system topics',
          signal: this.stopping.signal,
          logger: this.logger,
          onFailure: (error) => (this.lastError = error.message),
        },
      );
      this.done = true;
      this.lastError = undefined;
      if (created.length > 0) this.logger.log('created topics', { topics: created });
    } catch (error) {
      if (!(error instanceof StoppedTrying)) reportFatal('system topics', error as Error);
      throw error;
    }
  }
}

import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { EVENT_HEADERS, headerText, namespaced, parseOrderPurchased, TOPICS } from '@redpacket/contracts';
import { failpoint } from '@redpacket/failpoints';
import { IdempotentProducer, kafkaErrorType, OffsetWatermark, processByKey } from '@redpacket/kafka';
import { Metrics } from '@redpacket/observability';
import { type Consumer, type EachBatchPayload, Kafka, type KafkaMessage } from 'kafkajs';
import { classifyError } from '../grant-red-packet/grant.errors';
import { GrantOnceService } from '../grant-red-packet/grant-once.service';
import { REWARDS_OPTIONS, type RewardsOptions } from '../rewards.options';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { ignoreProbes, PROBE_OBSERVER, type ProbeObserver } from './probe-observer';

export const CONSUMER_OPTIONS = Symbol('CONSUMER_OPTIONS');

export interface ConsumerOptions {
  enabled: boolean;
  /** Keys (users) processed at once inside one partition's batch. */
  concurrency: number;
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
}

export interface ConsumerStats {
  consumed: number;
  deadLettered: number;
  retriedErrors: number;
  probes: number;
}

class StopRequested extends Error {}

/** kafkajs error types that mean "this partition is no longer yours" when committing (kafkajs #1046). */
const LOST_OWNERSHIP = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR']);

/**
 * Consumer group `reward-service` on `order.purchased`. Offsets are committed only after the grant
 * transaction committed, and only up to the watermark below which every message has finished.
 * Retriable failures are retried in place (never committed past); poison goes to the dead-letter
 * topic and the partition moves on.
 */
@Injectable()
export class OrderPurchasedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly stats: ConsumerStats = { consumed: 0, deadLettered: 0, retriedErrors: 0, probes: 0 };
  private readonly logger = new Logger(OrderPurchasedConsumer.name);
  private readonly consumer: Consumer;
  private readonly producer: IdempotentProducer;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly topic: string;

  constructor(
    @Inject(Kafka) kafka: Kafka,
    private readonly grants: GrantOnceService,
    @Inject(REWARDS_OPTIONS) private readonly rewards: RewardsOptions,
    @Inject(CONSUMER_OPTIONS) private readonly options: ConsumerOptions,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Optional() @Inject(PROBE_OBSERVER) private readonly probes: ProbeObserver = ignoreProbes,
  ) {
    this.topic = namespaced(rewards.kafkaNamespace, TOPICS.orderPurchased);
    this.consumer = kafka.consumer({
      groupId: rewards.consumerGroup,
      // The broker answers a fetch as soon as a message arrives; this only bounds idle round trips.
      maxWaitTimeInMs: 500,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.floor(options.sessionTimeoutMs / 10),
      rebalanceTimeout: options.sessionTimeoutMs * 2,
      retry: { retries: 10 },
    });
    this.producer = new IdempotentProducer(kafka);
    this.deadLetters = new DeadLetterPublisher(
      this.producer,
      namespaced(rewards.kafkaNamespace, TOPICS.orderPurchasedDeadLetter),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled) return;
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.processBatch(payload),
    });
    this.logger.log('consuming', {
      topic: this.topic,
      group: this.rewards.consumerGroup,
      strategy: this.grants.strategy.name,
    });
  }

  /** Stop fetching, let the batch in hand finish and commit, then leave the group. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options.enabled) return;
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const canContinue = () => payload.isRunning() && !payload.isStale();
    const watermark = new OffsetWatermark();
    for (const message of batch.messages) watermark.track(message.offset);
    let failure: unknown;
    try {
      await processByKey(
        batch.messages,
        (m) => m.key?.toString() ?? '',
        this.options.concurrency,
        async (message) => {
          await this.handleWithRetry(topic, partition, message, canContinue);
          watermark.complete(message.offset);
          await payload.heartbeat();
        },
      );
    } catch (error) {
      failure = error;
    }
    const next = watermark.committable();
    if (next !== undefined) {
      payload.resolveOffset((BigInt(next) - 1n).toString());
      await failpoint('reward.before-offset-commit');
      await this.commit(topic, partition, next);
    }
    if (failure !== undefined && !(failure instanceof StopRequested)) throw asError(failure);
  }

  private async handleWithRetry(topic: string, partition: number, message: KafkaMessage, canContinue: () => boolean) {
    for (let attempt = 1; ; attempt++) {
      if (!canContinue()) throw new StopRequested();
      try {
        await this.handle(topic, partition, message);
        return;
      } catch (error) {
        const { code, retriable } = classifyError(error);
        const context = { topic, partition, offset: message.offset, code, attempt, error: (error as Error).message };
        if (!retriable) {
          await this.deadLetters.publish({ topic, partition, message }, code, error);
          this.stats.deadLettered += 1;
          this.metrics.deadLettered.inc({ code });
          this.logger.warn('message dead-lettered', context);
          return;
        }
        this.stats.retriedErrors += 1;
        this.logger.warn('retriable failure; retrying the message', context);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** (attempt - 1))));
      }
    }
  }

  private async handle(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const headers = message.headers ?? {};
    if (headerText(headers[EVENT_HEADERS.probe]) === 'true') {
      this.stats.probes += 1;
      this.probes.observe(partition, Number(headerText(headers[EVENT_HEADERS.probeSentAt])), Date.now());
      return;
    }
    const event = parseOrderPurchased(message.value, headers);
    const outcome = await this.grants.grantOnce({ source: 'event', ...event });
    this.stats.consumed += 1;
    this.metrics.eventsConsumed.inc({ outcome });
    if (outcome === 'granted') this.metrics.grantLatency.observe((Date.now() - Date.parse(event.occurredAt)) / 1_000);
    this.logger.debug?.('order event processed', {
      outcome,
      eventId: event.eventId,
      orderId: event.orderId,
      topic,
      partition,
      offset: message.offset,
    });
    await failpoint('reward.after-db-commit');
  }

  private async commit(topic: string, partition: number, offset: string): Promise<void> {
    try {
      await this.consumer.commitOffsets([{ topic, partition, offset }]);
    } catch (error) {
      const type = kafkaErrorType(error);
      if (!LOST_OWNERSHIP.has(type)) throw error;
      // Someone else owns the partition now; it resumes from the last commit and the inbox absorbs the repeats.
      this.logger.warn('offset commit refused after a rebalance', { topic, partition, offset, type });
    }
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

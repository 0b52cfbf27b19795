import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { namespaced, type OrderPurchasedV1, parseOrderPurchased, probeSentAtMs, TOPICS } from '@redpacket/contracts';
import { failpoint } from '@redpacket/failpoints';
import { IdempotentProducer, kafkaErrorType, OffsetWatermark, processByKey } from '@redpacket/kafka';
import { Metrics } from '@redpacket/observability';
import { type Consumer, type EachBatchPayload, Kafka, type KafkaMessage } from 'kafkajs';
import { classifyError } from '../grant-red-packet/grant.errors';
import { GrantOnceService } from '../grant-red-packet/grant-once.service';
import type { GrantOutcome } from '../grant-red-packet/grant.types';
import { REWARDS_OPTIONS, type RewardsOptions } from '../rewards.options';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { ignoreProbes, PROBE_OBSERVER, type ProbeObserver } from './probe-observer';
import { chunksOf, type Position, retryInPlace, StopRequested } from './retry-in-place';

export const CONSUMER_OPTIONS = Symbol('CONSUMER_OPTIONS');

export interface ConsumerOptions {
  enabled: boolean;
  /** Keys (users) processed at once inside one partition's batch. */
  concurrency: number;
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
  /** Grant a partition's messages in chunks of `batchSize`, one transaction per chunk (inbox-tx only). */
  batchGrants: boolean;
  batchSize: number;
}

export interface ConsumerStats {
  consumed: number;
  deadLettered: number;
  retriedErrors: number;
  probes: number;
}

/** A message that parsed into an event, waiting for its chunk's grant. */
interface ParsedMessage {
  message: KafkaMessage;
  event: OrderPurchasedV1;
}

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
    const finished = async (messages: KafkaMessage[]) => {
      for (const message of messages) watermark.complete(message.offset);
      await payload.heartbeat();
    };
    let failure: unknown;
    try {
      if (this.options.batchGrants) {
        for (const chunk of chunksOf(batch.messages, this.options.batchSize)) {
          if (!canContinue()) throw new StopRequested();
          await this.handleChunk(topic, partition, chunk, canContinue);
          await finished(chunk);
        }
      } else {
        await processByKey(
          batch.messages,
          (m) => m.key?.toString() ?? '',
          this.options.concurrency,
          async (message) => {
            await this.handleWithRetry(topic, partition, message, canContinue);
            await finished([message]);
          },
        );
      }
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

  private handleWithRetry(topic: string, partition: number, message: KafkaMessage, canContinue: () => boolean) {
    const position = { topic, partition, offset: message.offset };
    return retryInPlace({
      position,
      canContinue,
      work: () => this.handle(topic, partition, message),
      onPoison: (error, code) => this.deadLetter(position, message, code, error),
      onRetry: this.countRetry,
    });
  }

  /**
   * The batched path. Probes and poison are dealt with per message, once; the valid events are granted in
   * ONE transaction, retried whole while the failure is retriable. Their offsets complete only after it
   * committed. Should the batch fail for good, its messages go one by one, so only the culprit is dead-lettered.
   */
  private async handleChunk(topic: string, partition: number, chunk: KafkaMessage[], canContinue: () => boolean) {
    const parsed: ParsedMessage[] = [];
    for (const message of chunk) {
      const event = await this.parseOrDeadLetter(topic, partition, message);
      if (event) parsed.push({ message, event });
    }
    if (parsed.length === 0) return;
    const position = { topic, partition, offset: `${parsed[0].message.offset}..${parsed.at(-1)?.message.offset}` };
    await retryInPlace({
      position,
      canContinue,
      work: () => this.grantChunk(topic, partition, parsed),
      onPoison: async () => {
        for (const { message } of parsed) await this.handleWithRetry(topic, partition, message, canContinue);
      },
      onRetry: this.countRetry,
    });
  }

  private async grantChunk(topic: string, partition: number, parsed: ParsedMessage[]): Promise<void> {
    const outcomes = await this.grants.grantBatch(parsed.map(({ event }) => ({ source: 'event', ...event })));
    parsed.forEach(({ message, event }, index) =>
      this.recordOutcome({ topic, partition, offset: message.offset }, event, outcomes[index]),
    );
    await failpoint('reward.after-db-commit');
  }

  /** The event, or undefined for a probe or a poison message (dead-lettered here). */
  private async parseOrDeadLetter(topic: string, partition: number, message: KafkaMessage) {
    if (this.observeProbe(partition, message)) return undefined;
    try {
      return parseOrderPurchased(message.value, message.headers ?? {});
    } catch (error) {
      const { code, retriable } = classifyError(error);
      if (retriable) throw error;
      await this.deadLetter({ topic, partition, offset: message.offset }, message, code, error);
      return undefined;
    }
  }

  private readonly countRetry = (context: Position & { code: string; attempt: number; error: string }) => {
    this.stats.retriedErrors += 1;
    this.logger.warn('retriable failure; retrying in place', context);
  };

  private async deadLetter(position: Position, message: KafkaMessage, code: string, error: unknown): Promise<void> {
    await this.deadLetters.publish({ topic: position.topic, partition: position.partition, message }, code, error);
    this.stats.deadLettered += 1;
    this.metrics.deadLettered.inc({ code });
    this.logger.warn('message dead-lettered', { ...position, code, error: (error as Error).message });
  }

  private async handle(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    if (this.observeProbe(partition, message)) return;
    const event = parseOrderPurchased(message.value, message.headers ?? {});
    const outcome = await this.grants.grantOnce({ source: 'event', ...event });
    this.recordOutcome({ topic, partition, offset: message.offset }, event, outcome);
    await failpoint('reward.after-db-commit');
  }

  /** True for a probe: observed, and no business logic. */
  private observeProbe(partition: number, message: KafkaMessage): boolean {
    const sentAtMs = probeSentAtMs(message.headers);
    if (sentAtMs === undefined) return false;
    this.stats.probes += 1;
    this.probes.observe(partition, sentAtMs, Date.now());
    return true;
  }

  private recordOutcome(position: Position, event: OrderPurchasedV1, outcome: GrantOutcome): void {
    this.stats.consumed += 1;
    this.metrics.eventsConsumed.inc({ outcome });
    if (outcome === 'granted') this.metrics.grantLatency.observe((Date.now() - Date.parse(event.occurredAt)) / 1_000);
    this.logger.debug?.('order event processed', {
      outcome,
      eventId: event.eventId,
      orderId: event.orderId,
      ...position,
    });
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

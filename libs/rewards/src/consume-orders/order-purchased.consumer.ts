import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { type ConsumerHealth, type EventProducer, KafkaClients, PartitionBatchRunner } from '@redpacket/kafka';
import { Metrics } from '@redpacket/observability';
import { type ReadinessCheck, reportFatal } from '@redpacket/platform';
import { GrantOnceService } from '../grant-red-packet/grant-once.service';
import { REWARDS_OPTIONS, type RewardsOptions } from '../rewards.options';
import { DeadLetterPublisher } from './dead-letter.publisher';
import {
  type ConsumerStats,
  OrderPurchasedHandler,
  type OrderPurchasedHandlerOptions,
} from './order-purchased.handler';
import { ignoreProbes, PROBE_OBSERVER, type ProbeObserver } from './probe-observer';

export const CONSUMER_OPTIONS = Symbol('CONSUMER_OPTIONS');

export interface ConsumerOptions extends OrderPurchasedHandlerOptions {
  enabled: boolean;
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
  /** A partition whose work keeps failing for this long is reported stuck (readiness, metric, log). */
  stuckAfterMs: number;
  /** The longest pause between two attempts at a failing partition. */
  maxRetryDelayMs: number;
}

/**
 * Consumer group `reward-service` on `order.purchased`: the partition batch runner (commits,
 * heartbeats, pause and retry, shutdown) around the order handler (parse, probe, grant, dead letter).
 */
@Injectable()
export class OrderPurchasedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, ReadinessCheck {
  readonly readinessName = 'consumer';
  private readonly logger = new Logger(OrderPurchasedConsumer.name);
  private readonly producer: EventProducer;
  private readonly handler: OrderPurchasedHandler;
  private readonly runner: PartitionBatchRunner;

  constructor(
    @Inject(KafkaClients) clients: KafkaClients,
    private readonly grants: GrantOnceService,
    @Inject(REWARDS_OPTIONS) private readonly rewards: RewardsOptions,
    @Inject(CONSUMER_OPTIONS) private readonly options: ConsumerOptions,
    @Inject(Metrics) metrics: Metrics,
    @Optional() @Inject(PROBE_OBSERVER) probes: ProbeObserver = ignoreProbes,
  ) {
    const topic = namespaced(rewards.kafkaNamespace, TOPICS.orderPurchased);
    this.producer = clients.idempotentProducer();
    const deadLetters = new DeadLetterPublisher(
      this.producer,
      namespaced(rewards.kafkaNamespace, TOPICS.orderPurchasedDeadLetter),
    );
    this.handler = new OrderPurchasedHandler(grants, deadLetters, probes, metrics, options);
    this.runner = new PartitionBatchRunner(
      clients,
      {
        groupId: rewards.consumerGroup,
        topic,
        sessionTimeoutMs: options.sessionTimeoutMs,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
        retry: { initialDelayMs: 100, maxDelayMs: options.maxRetryDelayMs, stuckAfterMs: options.stuckAfterMs },
        onFatal: (error) => reportFatal('reward consumer', error),
        metrics,
      },
      this.handler,
    );
  }

  get stats(): ConsumerStats {
    return this.handler.stats;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled) return;
    await this.producer.connect();
    await this.runner.start();
    this.logger.log('consuming', {
      topic: namespaced(this.rewards.kafkaNamespace, TOPICS.orderPurchased),
      group: this.rewards.consumerGroup,
      strategy: this.grants.strategy.name,
      batchGrants: this.options.batchGrants,
    });
  }

  /** Stop fetching, let the batch in hand finish and commit what finished, then leave the group. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options.enabled) return;
    await this.runner.stop();
    await this.producer.disconnect();
  }

  /** For readiness: in the group, and no partition stuck. A disabled consumer is ready by definition. */
  readiness(): ConsumerHealth | { ready: true; state: 'disabled' } {
    return this.options.enabled ? this.runner.health() : { ready: true, state: 'disabled' };
  }
}

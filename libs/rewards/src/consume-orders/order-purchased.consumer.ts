import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { namespaced, TOPICS } from '@redpacket/contracts';
import {
  type ConsumerHealth,
  type EventProducer,
  KafkaClients,
  keepTrying,
  PartitionBatchRunner,
  StoppedTrying,
  SystemTopicsBootstrap,
  untilStopped,
} from '@redpacket/kafka';
import { Metrics, reportFatal } from '@redpacket/observability';
import type { ReadinessCheck } from '@redpacket/platform';
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
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;
  /** Why the consumer has not joined yet, while it keeps trying. */
  private waitingFor: string | undefined;

  constructor(
    @Inject(KafkaClients) clients: KafkaClients,
    @Inject(SystemTopicsBootstrap) private readonly topics: SystemTopicsBootstrap,
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

  /**
   * Joins in the background: the app boots with Kafka away, and joins once Kafka answers (readiness
   * stays false until then). Each failed attempt waits 0.5 s, 1 s, … 5 s before the next.
   */
  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    if (!this.options.verifier) {
      this.logger.warn(
        'EVENT_VERIFY_KEYS unset: events are paid without checking who wrote them (refused in production)',
      );
    }
    this.starting = this.startWhenKafkaAnswers();
  }

  /** Stop fetching, let the batch in hand finish and commit what finished, then leave the group. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.options.enabled) return;
    this.stopping.abort();
    await this.starting;
    await this.runner.stop();
    await this.producer.disconnect();
  }

  /** For readiness: in the group, and no partition stuck. A disabled consumer is ready by definition. */
  readiness(): ConsumerHealth | { ready: true; state: 'disabled' } {
    if (!this.options.enabled) return { ready: true, state: 'disabled' };
    const health = this.runner.health();
    if (health.state !== 'joining') return health;
    return { ...health, waitingFor: this.waitingFor ?? this.topics.state().error ?? 'Kafka' };
  }

  private async startWhenKafkaAnswers(): Promise<void> {
    const topic = namespaced(this.rewards.kafkaNamespace, TOPICS.orderPurchased);
    try {
      await untilStopped(this.topics.whenEnsured(), this.stopping.signal, 'the system topics');
      await keepTrying(
        async () => {
          await this.producer.connect();
          await this.runner.start();
        },
        {
          what: 'joining the reward consumer group',
          signal: this.stopping.signal,
          logger: this.logger,
          onFailure: (error) => (this.waitingFor = error.message),
        },
      );
      this.waitingFor = undefined;
      this.logger.log('consuming', {
        topic,
        group: this.rewards.consumerGroup,
        strategy: this.grants.strategy.name,
        batchGrants: this.options.batchGrants,
      });
    } catch (error) {
      if (!(error instanceof StoppedTrying)) this.waitingFor = (error as Error).message;
    }
  }
}

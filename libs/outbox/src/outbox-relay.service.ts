import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  KafkaClients,
  keepTrying,
  StoppedTrying,
  SystemTopicsBootstrap,
  TrackedEventProducer,
  untilStopped,
} from '@redpacket/kafka';
import { Metrics } from '@redpacket/observability';
import { DataSource } from 'typeorm';
import type { EventSigner } from '@redpacket/contracts';
import { OutboxRelay } from './outbox-relay';
import type { OutboxLocation } from './outbox.types';

export const OUTBOX_RELAY_OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');

export interface OutboxRelayServiceOptions {
  location: OutboxLocation;
  enabled: boolean;
  databaseUrl: string;
  /** Rows a claim takes when there is no backlog. */
  batchSize: number;
  /** Rows a claim may grow to while a backlog lasts. */
  maxBatchSize: number;
  /** Batches in flight at once, each holding a pooled connection. */
  pipelineDepth: number;
  /** Longest idle wait between polls; a NOTIFY at commit wakes the relay sooner. */
  idleMaxMs?: number;
  /** Producer-level retries of one send before the rows are rescheduled. */
  sendRetries: number;
  /** Sends failing in a row for longer than this make the relay degraded (its metric shows it all along). */
  degradedAfterMs: number;
  /** Published rows older than this are deleted. */
  retentionSeconds: number;
  purgeIntervalMs: number;
  /** Signs every message published (the order service's events); unsigned when not given. */
  signer?: EventSigner;
}

/** Where the relay is: Kafka not reached yet, publishing, or stopped. */
export type RelayState = 'disabled' | 'waiting-for-kafka' | 'running' | 'stopped';

/**
 * Runs a service's outbox relay for the life of the app, and purges what it has published. The app does
 * not wait for Kafka: the relay connects in the background, with backoff, and starts once Kafka answers.
 * Meanwhile the outbox keeps what the app writes.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly readinessName = 'outbox-relay';
  private readonly logger = new Logger(OutboxRelayService.name);
  private readonly producer: TrackedEventProducer;
  readonly relay: OutboxRelay;
  private purgeTimer: NodeJS.Timeout | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;
  private current: RelayState;
  private waitingFor: string | undefined;

  constructor(
    @Inject(OUTBOX_RELAY_OPTIONS) private readonly options: OutboxRelayServiceOptions,
    @Inject(KafkaClients) clients: KafkaClients,
    @Inject(SystemTopicsBootstrap) private readonly topics: SystemTopicsBootstrap,
    @Inject(DataSource) dataSource: DataSource,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.producer = clients.idempotentProducer(options.sendRetries);
    this.relay = new OutboxRelay(dataSource, this.producer, { ...options, metrics }, this.logger);
    this.current = options.enabled ? 'waiting-for-kafka' : 'disabled';
  }

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.purgeTimer = setInterval(() => void this.purge(), this.options.purgeIntervalMs);
    this.purgeTimer.unref();
    this.gaugeTimer = setInterval(() => this.exportSendFailing(), 1_000);
    this.gaugeTimer.unref();
    this.starting = this.startWhenKafkaAnswers();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.purgeTimer);
    clearInterval(this.gaugeTimer);
    if (!this.options.enabled) return;
    this.stopping.abort();
    await this.starting;
    await this.relay.stop();
    await this.producer.disconnect();
    this.current = 'stopped';
  }

  /**
   * A relay waiting for Kafka, or whose sends have failed for longer than `degradedAfterMs` (30 s by
   * default), leaves the app able to do its job (the outbox keeps the events), but degraded.
   */
  readiness(): { ready: true; state: RelayState; degraded?: string; waitingFor?: string; sendFailingMs?: number } {
    if (this.current === 'waiting-for-kafka') {
      const waitingFor = this.waitingFor ?? this.topics.state().error ?? 'Kafka';
      return { ready: true, state: this.current, degraded: 'waiting for Kafka', waitingFor };
    }
    const sendFailingMs = this.producer.failingForMs();
    if (sendFailingMs <= this.options.degradedAfterMs) return { ready: true, state: this.current };
    return { ready: true, state: this.current, degraded: 'sends to Kafka failing', sendFailingMs };
  }

  private exportSendFailing(): void {
    this.metrics.outboxSendFailing.set({ table: this.options.location.table }, this.producer.failingForMs() / 1_000);
  }

  /** Resolves once the relay publishes (a test's way to wait for Kafka to be reached). */
  async whenRunning(): Promise<void> {
    await this.starting;
    if (this.current !== 'running') throw new Error(`the outbox relay is ${this.current}`);
  }

  async purge(): Promise<number> {
    try {
      const deleted = await this.relay.purgePublished(this.options.retentionSeconds);
      if (deleted > 0) this.logger.log('purged published outbox rows', { deleted, table: this.options.location.table });
      return deleted;
    } catch (error) {
      this.logger.warn('outbox purge failed; will retry on the next interval', { error: (error as Error).message });
      return 0;
    }
  }

  private async startWhenKafkaAnswers(): Promise<void> {
    try {
      await untilStopped(this.topics.whenEnsured(), this.stopping.signal, 'the system topics');
      await keepTrying(() => this.producer.connect(), {
        what: 'connecting the outbox relay to Kafka',
        signal: this.stopping.signal,
        logger: this.logger,
        onFailure: (error) => (this.waitingFor = error.message),
      });
      await this.relay.start();
      this.current = 'running';
      this.logger.log('outbox relay started', {
        table: this.options.location.table,
        pipelineDepth: this.options.pipelineDepth,
      });
    } catch (error) {
      // Shutdown while waiting, or a fault the topics' bootstrap already reported as fatal.
      if (!(error instanceof StoppedTrying)) this.waitingFor = (error as Error).message;
    }
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type EventProducer, KafkaClients } from '@redpacket/kafka';
import { Metrics } from '@redpacket/observability';
import { DataSource } from 'typeorm';
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
  /** Published rows older than this are deleted. */
  retentionSeconds: number;
  purgeIntervalMs: number;
}

/** Runs a service's outbox relay for the life of the app, and purges what it has published. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private readonly producer: EventProducer;
  readonly relay: OutboxRelay;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(OUTBOX_RELAY_OPTIONS) private readonly options: OutboxRelayServiceOptions,
    @Inject(KafkaClients) clients: KafkaClients,
    @Inject(DataSource) dataSource: DataSource,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.producer = clients.idempotentProducer(options.sendRetries);
    this.relay = new OutboxRelay(dataSource, this.producer, { ...options, metrics }, this.logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled) return;
    await this.producer.connect();
    await this.relay.start();
    this.purgeTimer = setInterval(() => void this.purge(), this.options.purgeIntervalMs);
    this.purgeTimer.unref();
    this.logger.log('outbox relay started', {
      table: this.options.location.table,
      pipelineDepth: this.options.pipelineDepth,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.purgeTimer);
    if (!this.options.enabled) return;
    await this.relay.stop();
    await this.producer.disconnect();
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
}

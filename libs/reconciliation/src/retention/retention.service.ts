import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigValidationError } from '@redpacket/config';
import { KafkaAdmin, keepTrying, settlesWithin, StoppedTrying, SystemTopicsBootstrap } from '@redpacket/kafka';
import { Metrics, reportFatal } from '@redpacket/observability';
import { inboxLocation, purgeInbox } from '@redpacket/outbox';
import { DataSource } from 'typeorm';
import { ReconciliationRunRepository } from '../reissue-missing/reconciliation-run.repository';

export const RETENTION_OPTIONS = Symbol('RETENTION_OPTIONS');

export interface RetentionOptions {
  /** Processed-message ids are the dedup window; 0 keeps them forever. */
  processedMessagesRetentionHours: number;
  /** The window must outlast the topic's retention by this much (a replay may come late). */
  dedupMarginHours: number;
  /** The topic whose redeliveries the processed-message ids guard against. */
  dedupTopic: string;
  /** Finished reconciliation runs are kept this long. */
  runRetentionDays: number;
  batchSize: number;
}

export interface RetentionReport {
  processedMessages: number;
  reconciliationRuns: number;
}

const HOUR_MS = 3_600_000;
/** How long boot waits for Kafka to answer the dedup-window check before it goes on without it. */
const BOOT_CHECK_WAIT_MS = 5_000;

/**
 * Keeps the dedup window and the run reports bounded: the reconciler is their one cleaner. (Published outbox
 * rows are purged by the relay that published them, expired idempotency keys by the order service.) Deletes
 * run in small batches, each its own short statement, so they never hold locks the hot path waits on.
 */
@Injectable()
export class RetentionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private readonly stopping = new AbortController();
  /** Processed-message ids are purged only once the window is known to outlast the topic's retention. */
  private windowChecked = false;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(KafkaAdmin) private readonly kafkaAdmin: KafkaAdmin,
    @Inject(SystemTopicsBootstrap) private readonly topics: SystemTopicsBootstrap,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
    @Inject(Metrics) private readonly metrics: Metrics,
    private readonly runs: ReconciliationRunRepository,
  ) {}

  /**
   * Refuses to boot with a dedup window that a redelivery could outlive. The check asks Kafka for the
   * topic's retention; with Kafka away the reconciler boots anyway (it repairs through the database),
   * the check goes on in the background, and processed-message ids are not purged until it passed. A
   * window found too short then is fatal, as it would have been at boot.
   */
  async onModuleInit(): Promise<void> {
    if (this.options.processedMessagesRetentionHours === 0) return;
    const check = this.topics
      .whenEnsured()
      .then(() =>
        keepTrying(() => this.topicRetentionMs(), {
          what: 'reading the dedup topic retention',
          signal: this.stopping.signal,
          logger: this.logger,
        }),
      )
      .then((retentionMs) => {
        this.assertWindowOutlasts(retentionMs);
        this.windowChecked = true;
      });
    let booted = false;
    check.catch((error: Error) => {
      if (booted && !(error instanceof StoppedTrying)) reportFatal('retention', error);
    });
    await settlesWithin(check, BOOT_CHECK_WAIT_MS);
    booted = true;
    if (!this.windowChecked) {
      this.logger.warn('Kafka did not answer: the dedup window is checked once it does, and purged only then');
    }
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  private assertWindowOutlasts(retentionMs: number): void {
    const windowMs = this.options.processedMessagesRetentionHours * HOUR_MS;
    const requiredMs = retentionMs < 0 ? Infinity : retentionMs + this.options.dedupMarginHours * HOUR_MS;
    if (windowMs < requiredMs) {
      throw new ConfigValidationError([
        `PROCESSED_MESSAGES_RETENTION_HOURS: ${this.options.processedMessagesRetentionHours} h is shorter than ` +
          `${this.options.dedupTopic}'s retention (${retentionMs < 0 ? 'forever' : `${retentionMs / HOUR_MS} h`}) ` +
          `plus a margin of ${this.options.dedupMarginHours} h: an old message replayed after its id was deleted would be granted again`,
      ]);
    }
  }

  async purge(): Promise<RetentionReport> {
    const { batchSize } = this.options;
    const report: RetentionReport = {
      processedMessages:
        this.options.processedMessagesRetentionHours === 0 || !this.windowChecked
          ? 0
          : await purgeInbox(
              this.dataSource,
              inboxLocation('rewards'),
              this.options.processedMessagesRetentionHours,
              batchSize,
            ),
      reconciliationRuns: await this.runs.purgeFinished(this.options.runRetentionDays, batchSize),
    };
    this.logger.log('retention purge finished', { ...report });
    for (const [table, deleted] of Object.entries(report) as [keyof RetentionReport, number][]) {
      this.metrics.retentionPurged.inc({ table }, deleted);
    }
    return report;
  }

  private async topicRetentionMs(): Promise<number> {
    const value = await this.kafkaAdmin.topicConfig(this.options.dedupTopic, 'retention.ms');
    return Number(value ?? 7 * 24 * HOUR_MS);
  }
}

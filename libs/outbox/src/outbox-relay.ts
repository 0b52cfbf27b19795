import type { LoggerService } from '@nestjs/common';
import { Metrics } from '@redpacket/observability';
import type { DataSource } from 'typeorm';
import { type OutboxBatchOptions, OutboxBatches, type RelayStats } from './outbox-batches';
import { IdleBackoff, retryDelayMs } from './idle-backoff';
import { OutboxListener } from './outbox-listener';
import type { EventSender } from './outbox.types';

export type { RelayStats } from './outbox-batches';

export interface OutboxRelayOptions extends OutboxBatchOptions {
  databaseUrl: string;
  /** Batches in flight at once, each in its own transaction on its own pool connection; 1 when not given. */
  pipelineDepth?: number;
  idleMinMs?: number;
  idleMaxMs?: number;
  /** Where published and retried counts go; a private registry when not given. */
  metrics?: Metrics;
}

/**
 * Publishes outbox rows to Kafka, one batch (`OutboxBatches`: claim, send, mark, commit) after another.
 *
 * Batches are pipelined while a backlog lasts: up to `pipelineDepth` are in flight at once, so while one
 * waits for Kafka's acknowledgement the next is being claimed and the one before is marking its rows and
 * committing. Without a backlog (a claim took every row there was) one batch is in flight, as a
 * second would only take the odd row that committed meanwhile, at the cost of a transaction. The
 * producer still sends one request at a time (kafkajs #598); what overlaps is the database work around
 * the sends. Per-key order holds for the reason it holds between two relays: a batch keeps its keys'
 * head rows locked until it commits, so a concurrent claim skips those keys and takes their next rows only
 * once the batch has committed, after Kafka acknowledged it.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A NOTIFY arrived since the last claim started: the next idle wait returns at once. */
  private notified = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Batches that failed after their claim, in a row: the loop backs off 0.5 s, 1 s, … 10 s before the next. */
  private failuresInARow = 0;
  private failuresWaitedFor = 0;
  private stopping: (() => void) | undefined;
  private readonly depth: number;
  private readonly batches: OutboxBatches;
  private readonly backoff: IdleBackoff;
  private readonly listener: OutboxListener;

  constructor(
    dataSource: DataSource,
    sender: EventSender,
    private readonly options: OutboxRelayOptions,
    private readonly logger: LoggerService,
  ) {
    this.depth = options.pipelineDepth ?? 1;
    const stats = { published: 0, failedBatches: 0, peakInFlight: 0 };
    this.batches = new OutboxBatches(dataSource, sender, options, logger, options.metrics ?? new Metrics(), stats);
    this.backoff = new IdleBackoff(options.idleMinMs ?? 10, options.idleMaxMs ?? 100);
    this.listener = new OutboxListener(options.databaseUrl, options.location.channel, () => this.notify(), logger);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listener.start();
    this.loop = this.run();
  }

  /** Finishes the batches in hand (each sent is marked published), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.stopping?.();
    await this.loop;
    await this.listener.stop();
  }

  get stats(): RelayStats {
    return this.batches.stats;
  }

  /**
   * Claims and publishes one batch; returns how many rows were published. `onClaimed` hears how many
   * rows were claimed, before they are sent.
   */
  publishBatch(onClaimed?: (rows: number) => void): Promise<number> {
    return this.batches.publishBatch(onClaimed);
  }

  /** Deletes published rows older than the retention, a small batch at a time. */
  purgePublished(olderThanSeconds: number, batchSize?: number): Promise<number> {
    return this.batches.purgePublished(olderThanSeconds, batchSize);
  }

  /**
   * Starts a batch, and another as soon as its claim came back with rows, up to `pipelineDepth` in flight.
   * A claim that finds nothing waits for a reason to look again, so an idle relay runs one claim per
   * backoff delay however deep its pipeline.
   */
  private async run(): Promise<void> {
    while (this.running) {
      if (this.failuresInARow > this.failuresWaitedFor) {
        this.failuresWaitedFor = this.failuresInARow;
        await this.pauseAfterFailure(retryDelayMs(this.failuresInARow));
        continue;
      }
      if (this.inFlight.size >= this.depth) {
        await Promise.race(this.inFlight);
        continue;
      }
      const announced = this.notified;
      this.notified = false;
      const claimed = await this.startBatch();
      if (claimed === 0) {
        await this.idle();
        continue;
      }
      // Rows no NOTIFY announced (the listener is down, or rows came out of their retry delay): poll
      // quickly while they keep coming. Announced rows leave the poll as it was, a backstop that grows.
      if (!announced) this.backoff.reset();
      if (this.batches.backlogLeft) continue;
      // Only a backlog is worth a second batch in flight, or a claim straight away. A claim that took all
      // there was lets its batch finish, then the next claim waits for a reason: a NOTIFY of a commit since
      // this claim began (remembered, so none is lost), a batch ending, or the poll. At a steady moderate
      // load that is fewer, larger transactions and no empty claim between them.
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
      await this.idle();
    }
    await Promise.all(this.inFlight);
  }

  /**
   * Runs one batch in the background. Resolves with how many rows it claimed as soon as its claim is
   * done; a batch that claimed nothing (or failed first) resolves with 0 only once it is over, so the
   * wait that follows cannot end on it.
   */
  private startBatch(): Promise<number> {
    let claimed: (rows: number) => void = () => undefined;
    const claim = new Promise<number>((resolve) => (claimed = resolve));
    const batch = this.publishOrLog(claimed).finally(() => {
      this.inFlight.delete(batch);
      claimed(0);
    });
    this.inFlight.add(batch);
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.inFlight.size);
    return claim;
  }

  /** A failed batch leaves its rows unpublished for a later claim; the relay goes on. */
  private async publishOrLog(onClaimed: (rows: number) => void): Promise<void> {
    try {
      await this.batches.publishBatch(onClaimed);
      this.failuresInARow = 0;
      this.failuresWaitedFor = 0;
    } catch (error) {
      // A mark or a commit that fails (a read-only database after a failover, a full disk) would fail
      // again at once: the next claim waits out the backoff rather than resending the rows in a loop.
      this.failuresInARow += 1;
      this.logger.error('outbox relay batch failed; its rows stay unpublished and are claimed again', {
        table: this.options.location.table,
        failuresInARow: this.failuresInARow,
        retryInMs: retryDelayMs(this.failuresInARow),
        error: (error as Error).message,
      });
    }
  }

  /** Waits out the backoff after a failed batch; a NOTIFY does not end it, only `stop()` does. */
  private pauseAfterFailure(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.stopping = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** A commit wrote outbox rows. Remembered when it comes mid-claim, so no wake-up is lost. */
  private notify(): void {
    this.notified = true;
    this.wake?.();
  }

  /**
   * Nothing was claimable. Waits for a NOTIFY, or for a batch in flight to end (its keys' next rows
   * become claimable), or for the backoff delay, whichever comes first.
   */
  private idle(): Promise<void> {
    if (this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      // The timer too while batches are in flight: a row whose backoff ends is found even if the NOTIFY
      // connection is down and a batch sits in the producer's retries.
      const timer = setTimeout(done, this.backoff.next());
      for (const batch of this.inFlight) void batch.then(done);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

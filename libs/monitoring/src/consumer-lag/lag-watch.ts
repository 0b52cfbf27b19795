import type { LoggerService } from '@nestjs/common';
import type { ConsumerGroupAdmin } from '@redpacket/kafka';
import type { Metrics } from '@redpacket/observability';
import { describeConsumerLag } from './consumer-lag';
import type { LagRow } from './lag-table';
import { type StalledPartition, StalledPartitions } from './stalled-partitions';

export interface LagWatchReading {
  lag: LagRow[];
  /** Partitions whose committed offset has not moved for the stall bound while lag waited. */
  stalled: StalledPartition[];
}

/** The lag as a number; undefined for a partition the group never committed to ('-', as Kafka prints it). */
export function lagOf(row: LagRow): number | undefined {
  return row.lag === '-' ? undefined : Number(row.lag);
}

/**
 * The consumer lag of the watched groups and which of their partitions stalled, exported as the
 * `consumer_lag` and `consumer_partition_stalled_seconds` gauges, a stall logged when it begins and when
 * it ends. With Kafka away the lag is unknown: the last reading stays.
 */
export class LagWatch {
  private readonly stalls: StalledPartitions;
  private last: LagRow[] = [];

  constructor(
    private readonly admin: ConsumerGroupAdmin,
    private readonly metrics: Metrics,
    private readonly logger: LoggerService,
    private readonly groups: readonly string[],
    stallAfterMs: number,
  ) {
    this.stalls = new StalledPartitions(stallAfterMs);
  }

  async read(now: number): Promise<LagWatchReading> {
    const lag = await this.readLag();
    const { stalled, began, recovered } = this.stalls.observe(lag, now);
    for (const partition of began) this.logger.warn('consumer partition stalled', { ...partition });
    for (const partition of recovered) this.logger.log('consumer partition recovered', { ...partition });
    this.metrics.consumerPartitionStalled.reset();
    for (const { group, topic, partition, stalledForMs } of stalled) {
      this.metrics.consumerPartitionStalled.set({ group, topic, partition: String(partition) }, stalledForMs / 1_000);
    }
    return { lag, stalled };
  }

  private async readLag(): Promise<LagRow[]> {
    const rows: LagRow[] = [];
    try {
      for (const group of this.groups) rows.push(...(await describeConsumerLag(this.admin, group)));
    } catch (error) {
      this.logger.warn('consumer lag unreadable; keeping the last reading', { error: (error as Error).message });
      return this.last;
    }
    this.metrics.consumerLag.reset();
    for (const row of rows) {
      const lag = lagOf(row);
      if (lag === undefined) continue;
      this.metrics.consumerLag.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, lag);
    }
    this.last = rows;
    return rows;
  }
}

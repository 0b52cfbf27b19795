import type { LagRow } from './lag-table';

/** A partition whose committed offset sits still while messages wait behind it. */
export interface StalledPartition {
  group: string;
  topic: string;
  partition: number;
  committedOffset: string;
  lag: string;
  /** How long the committed offset has sat still with lag behind it (for a recovery: had sat). */
  stalledForMs: number;
}

/** What one reading of the lag rows changed. */
export interface StallReading {
  /** Every partition stalled now. */
  stalled: StalledPartition[];
  /** Those of `stalled` that crossed the bound at this reading. */
  began: StalledPartition[];
  /** Partitions stalled at the previous reading whose committed offset moved or whose lag reached 0. */
  recovered: StalledPartition[];
}

interface StillOffset {
  committedOffset: string;
  sinceMs: number;
  stalled: boolean;
}

/**
 * Finds stuck partitions from Kafka's own state (committed offset and lag), so a consumer that is
 * dead or silent shows as well as one that is slow. A partition is stalled once its committed
 * offset has not moved for `stallAfterMs` while its lag was above 0. The clock starts at the first
 * reading with lag at that offset, not at the last commit: a partition idle at lag 0 for an hour
 * is not stalled the moment a message arrives. Partitions the group never committed to ('-') are
 * skipped, and one that stops being committed (its offsets deleted or expired) is forgotten.
 */
export class StalledPartitions {
  private readonly still = new Map<string, StillOffset>();

  constructor(private readonly stallAfterMs: number) {}

  observe(rows: readonly LagRow[], nowMs: number): StallReading {
    const reading: StallReading = { stalled: [], began: [], recovered: [] };
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.lag === '-') continue;
      const key = `${row.group}\u0000${row.topic}\u0000${row.partition}`;
      seen.add(key);
      const previous = this.still.get(key);
      const moved = previous !== undefined && previous.committedOffset !== row.currentOffset;
      const waiting = BigInt(row.lag) > 0n;
      if (previous?.stalled && (moved || !waiting)) reading.recovered.push(asStalled(row, nowMs - previous.sinceMs));
      if (!waiting) {
        this.still.delete(key);
        continue;
      }
      const current =
        previous && !moved ? previous : { committedOffset: row.currentOffset, sinceMs: nowMs, stalled: false };
      this.still.set(key, current);
      const stalledForMs = nowMs - current.sinceMs;
      if (stalledForMs < this.stallAfterMs) continue;
      const partition = asStalled(row, stalledForMs);
      if (!current.stalled) reading.began.push(partition);
      current.stalled = true;
      reading.stalled.push(partition);
    }
    for (const key of this.still.keys()) if (!seen.has(key)) this.still.delete(key);
    return reading;
  }
}

function asStalled(row: LagRow, stalledForMs: number): StalledPartition {
  const { group, topic, partition, currentOffset: committedOffset, lag } = row;
  return { group, topic, partition, committedOffset, lag, stalledForMs };
}

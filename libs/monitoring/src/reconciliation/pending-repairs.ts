import type { DataSource } from 'typeorm';

/** The reconciler's pending repairs as the monitor reads them: orders whose reissue failed, not yet decided. */
export interface PendingRepairsReading {
  count: number;
  /** When the oldest of them first failed; null when there are none. */
  oldestFailedAt: string | null;
  /** The latest failed attempt recorded, by any run; null when there are none. */
  lastFailedAt: string | null;
}

/** Pending repairs among the monitor's recent alerts; `delayMs` is how long the oldest has waited. */
export interface PendingRepairsAlert {
  observer: 'reconciler';
  reason: 'pending-repairs';
  pendingRepairs: number;
  delayMs: number;
}

/** One statement over a table that stays small: every reconciliation run empties it as it decides the orders. */
export async function readPendingRepairs(dataSource: DataSource): Promise<PendingRepairsReading> {
  const [row] = await dataSource.query<{ count: number; oldest: Date | null; last: Date | null }[]>(
    `SELECT count(*)::int AS count, min(first_failed_at) AS oldest, max(last_failed_at) AS last
       FROM reconciliation.pending_repairs`,
  );
  return {
    count: row.count,
    oldestFailedAt: row.oldest?.toISOString() ?? null,
    lastFailedAt: row.last?.toISOString() ?? null,
  };
}

/**
 * Says when pending repairs deserve an alert: once per failed attempt a run recorded, not on every poll. A
 * later failure (a new order, or one more attempt of a pending one) alerts again; an emptied list re-arms.
 */
export class PendingRepairsAlarm {
  private alertedFor: string | null = null;

  observe(reading: PendingRepairsReading, nowMs: number): PendingRepairsAlert | undefined {
    if (reading.count === 0 || reading.lastFailedAt === null) {
      this.alertedFor = null;
      return undefined;
    }
    if (reading.lastFailedAt === this.alertedFor) return undefined;
    this.alertedFor = reading.lastFailedAt;
    const oldest = Date.parse(reading.oldestFailedAt ?? reading.lastFailedAt);
    return {
      observer: 'reconciler',
      reason: 'pending-repairs',
      pendingRepairs: reading.count,
      delayMs: Math.max(0, nowMs - oldest),
    };
  }
}

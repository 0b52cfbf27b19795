import type { Metrics } from '@redpacket/observability';
import type { DataSource } from 'typeorm';

export interface OutboxBacklog {
  table: string;
  backlog: number;
  oldestAgeSeconds: number;
}

/**
 * Every service's outbox: how many rows wait to be published and how old the oldest is, each reading also
 * exported as the `outbox_backlog` and `outbox_oldest_age_seconds` gauges. The count reads only the rows
 * not yet published (a partial index serves it), so its cost follows the backlog, not the history.
 */
export class OutboxWatch {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    private readonly tables: readonly string[],
  ) {}

  async read(): Promise<OutboxBacklog[]> {
    const backlogs: OutboxBacklog[] = [];
    for (const table of this.tables) {
      const [row] = await this.dataSource.query<{ backlog: number; oldest: number }[]>(
        `SELECT count(*)::int AS backlog,
                coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest
           FROM ${table} WHERE published_at IS NULL`,
      );
      backlogs.push({ table, backlog: row.backlog, oldestAgeSeconds: row.oldest });
      this.metrics.outboxBacklog.set({ table }, row.backlog);
      this.metrics.outboxOldestAge.set({ table }, row.oldest);
    }
    return backlogs;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ORDER_TO_CHECK_COLUMNS, type OrderToCheck } from './order-to-check';

/** Where a pass over the pending repairs got to: they are read oldest failure first. */
export interface PendingCursor {
  /** Full-precision Postgres timestamp text. */
  firstFailedAt: string;
  orderId: string;
}

export interface PendingRepair extends OrderToCheck {
  first_failed_at: string;
}

/**
 * Orders whose reissue failed, kept until a run decides them. The high-water mark moves past an order once
 * its run succeeds, so this list, not the window, is what brings a failed reissue back.
 */
@Injectable()
export class PendingRepairsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** One keyset page, oldest failure first, each with its order as a run checks it. */
  nextBatch(after: PendingCursor | undefined, limit: number): Promise<PendingRepair[]> {
    return this.dataSource.query<PendingRepair[]>(
      `SELECT ${ORDER_TO_CHECK_COLUMNS}, p.first_failed_at::text AS first_failed_at
         FROM reconciliation.pending_repairs p
         JOIN ordering.orders_for_reconciliation o ON o.order_id = p.order_id
        WHERE $1::timestamptz IS NULL OR (p.first_failed_at, p.order_id) > ($1::timestamptz, $2::uuid)
        ORDER BY p.first_failed_at, p.order_id
        LIMIT $3`,
      [after?.firstFailedAt ?? null, after?.orderId ?? null, limit],
    );
  }

  /** Keeps an order whose reissue failed: a new pending repair, or one more failed attempt of a known one. */
  async recordFailure(orderId: string, runId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO reconciliation.pending_repairs (order_id, last_error, run_id) VALUES ($1, $2, $3)
       ON CONFLICT (order_id) DO UPDATE
         SET attempts = pending_repairs.attempts + 1, last_failed_at = now(),
             last_error = excluded.last_error, run_id = excluded.run_id`,
      [orderId, error, runId],
    );
  }

  /** The order has its decision: nothing is left to repair. */
  async resolve(orderId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM reconciliation.pending_repairs WHERE order_id = $1', [orderId]);
  }

  async count(): Promise<number> {
    const [row] = await this.dataSource.query<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM reconciliation.pending_repairs',
    );
    return row.count;
  }
}

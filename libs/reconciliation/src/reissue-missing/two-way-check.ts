import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DiscrepancyKind, Finding, ReconciliationDiscrepancies } from './reconciliation-run';

/** Examples kept per kind in a run's report; the counts are always complete. */
export const FINDINGS_PER_KIND = 20;

interface FindingRow {
  total: string;
  user_id: string;
  order_id: string | null;
  actual_cents: string;
  expected_cents: string;
  detail: string;
}

/**
 * Each check is one statement, so what it compares (a wallet and its packets, a packet and its decision)
 * comes from one snapshot: a grant committing meanwhile is seen whole or not at all. `$1` is the start of
 * the window (null: everything); `count(*) OVER ()` is taken before the LIMIT, so the count is complete.
 */
const CHECKS: Record<DiscrepancyKind, string> = {
  'orphan-packet': `
    SELECT count(*) OVER () AS total, p.user_id, p.order_id, p.amount_cents::text AS actual_cents,
           '0' AS expected_cents, 'a packet whose order does not exist' AS detail
      FROM rewards.red_packets p
     WHERE ($1::timestamptz IS NULL OR p.granted_at >= $1)
       AND NOT EXISTS (SELECT 1 FROM ordering.orders_for_reconciliation o WHERE o.order_id = p.order_id)
     ORDER BY p.granted_at LIMIT $2`,
  'amount-mismatch': `
    SELECT count(*) OVER () AS total, user_id, order_id, actual_cents, expected_cents, detail FROM (
      SELECT p.user_id, p.order_id, p.amount_cents::text AS actual_cents,
             coalesce(d.amount_cents, 0)::text AS expected_cents, p.granted_at AS at,
             CASE WHEN d.order_id IS NULL THEN 'a packet with no recorded decision'
                  WHEN d.outcome <> 'granted' THEN 'a packet for an order decided ineligible'
                  ELSE 'a packet whose amount is not its decision''s' END AS detail
        FROM rewards.red_packets p LEFT JOIN rewards.reward_decisions d USING (order_id)
       WHERE ($1::timestamptz IS NULL OR p.granted_at >= $1)
         AND (d.order_id IS NULL OR d.outcome <> 'granted' OR d.amount_cents <> p.amount_cents)
         AND EXISTS (SELECT 1 FROM ordering.orders_for_reconciliation o WHERE o.order_id = p.order_id)
      UNION ALL
      SELECT d.user_id, d.order_id, d.total_cents::text, o.total_cents::text, d.decided_at,
             format('a decision made from %s items, total %s, user %s; the order has %s items, total %s, user %s',
                    d.item_count, d.total_cents, d.user_id, o.item_count, o.total_cents, o.user_id)
        FROM rewards.reward_decisions d JOIN ordering.orders_for_reconciliation o USING (order_id)
       WHERE ($1::timestamptz IS NULL OR d.decided_at >= $1)
         AND (d.item_count <> o.item_count OR d.total_cents <> o.total_cents OR d.user_id <> o.user_id)
    ) mismatches ORDER BY at LIMIT $2`,
  'wallet-drift': `
    SELECT count(*) OVER () AS total, w.user_id, NULL AS order_id, w.balance_cents::text AS actual_cents,
           coalesce(s.sum, 0)::text AS expected_cents, 'a wallet whose balance is not the sum of its packets' AS detail
      FROM rewards.wallets w
      LEFT JOIN LATERAL (SELECT sum(p.amount_cents) AS sum FROM rewards.red_packets p WHERE p.user_id = w.user_id) s
        ON true
     WHERE ($1::timestamptz IS NULL OR w.updated_at >= $1)
       AND w.balance_cents <> coalesce(s.sum, 0)
     ORDER BY w.updated_at LIMIT $2`,
};

/**
 * The backward direction of reconciliation: money without a reason. It counts and describes; it never
 * changes a packet or a wallet, because a wrong amount may be the record that is right, and deciding which
 * is a person's call.
 */
@Injectable()
export class TwoWayCheck {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async run(since: Date | null): Promise<{ found: ReconciliationDiscrepancies; findings: Finding[] }> {
    const [orphans, mismatches, drifts] = await Promise.all(
      (Object.keys(CHECKS) as DiscrepancyKind[]).map((kind) => this.check(kind, since)),
    );
    return {
      found: { orphanPackets: orphans.total, amountMismatches: mismatches.total, walletDrifts: drifts.total },
      findings: [...orphans.findings, ...mismatches.findings, ...drifts.findings],
    };
  }

  private async check(kind: DiscrepancyKind, since: Date | null): Promise<{ total: number; findings: Finding[] }> {
    const rows = await this.dataSource.query<FindingRow[]>(CHECKS[kind], [since, FINDINGS_PER_KIND]);
    return {
      total: rows.length === 0 ? 0 : Number(rows[0].total),
      findings: rows.map((row) => ({
        kind,
        userId: row.user_id,
        ...(row.order_id ? { orderId: row.order_id } : {}),
        actualCents: row.actual_cents,
        expectedCents: row.expected_cents,
        detail: row.detail,
      })),
    };
  }
}

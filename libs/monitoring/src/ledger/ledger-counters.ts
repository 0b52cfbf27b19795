import type { DataSource } from 'typeorm';

/** What the ledger holds: orders placed, packets granted and the cents they paid. */
export interface LedgerTotals {
  orders: number;
  packetsGranted: number;
  /** A sum of bigint cents: a string, as JSON numbers could lose precision. */
  grantedCents: string;
}

/**
 * How far behind the database's clock a row is taken as settled: no transaction that writes an order or
 * a packet is still open this long after it took its timestamp (`now()`, the transaction's start).
 */
export const SETTLE_SECONDS = 60;

interface Settled {
  /** The database's own text for the boundary, so no precision is lost on the way back to it. */
  until: string;
  orders: number;
  packets: number;
  cents: bigint;
}

interface Reading {
  until: string;
  settling_orders: number;
  settling_packets: number;
  settling_cents: string;
  recent_orders: number;
  recent_packets: number;
  recent_cents: string;
}

/**
 * Counts the ledger without reading its history on every poll. Orders and packets are never deleted, so
 * rows older than the settle window are counted once, into running totals, as the window moves past them;
 * each reading adds the rows of the last SETTLE_SECONDS on top. The first reading counts everything once;
 * after it, a reading costs what the last minute wrote, whatever the history (both timestamps are
 * indexed). The totals are exact as long as no order or grant transaction stays open longer than the
 * window after it began.
 */
export class LedgerCounters {
  private settled: Settled = { until: '-infinity', orders: 0, packets: 0, cents: 0n };
  /** Readings run one after another: two at once would both add the same settled rows. */
  private previous: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  read(): Promise<LedgerTotals> {
    const reading = this.previous.catch(() => undefined).then(() => this.readOnce());
    this.previous = reading;
    return reading;
  }

  private async readOnce(): Promise<LedgerTotals> {
    const [row] = await this.dataSource.query<Reading[]>(
      `WITH window_edge AS (
         SELECT $1::timestamptz AS settled_until,
                greatest($1::timestamptz, now() - make_interval(secs => $2)) AS until
       ),
       orders AS (
         SELECT count(*) FILTER (WHERE o.created_at < w.until)::int AS settling,
                count(*) FILTER (WHERE o.created_at >= w.until)::int AS recent
           FROM ordering.orders o, window_edge w WHERE o.created_at >= w.settled_until
       ),
       packets AS (
         SELECT count(*) FILTER (WHERE p.granted_at < w.until)::int AS settling,
                coalesce(sum(p.amount_cents) FILTER (WHERE p.granted_at < w.until), 0)::text AS settling_cents,
                count(*) FILTER (WHERE p.granted_at >= w.until)::int AS recent,
                coalesce(sum(p.amount_cents) FILTER (WHERE p.granted_at >= w.until), 0)::text AS recent_cents
           FROM rewards.red_packets p, window_edge w WHERE p.granted_at >= w.settled_until
       )
       SELECT w.until::text AS until,
              o.settling AS settling_orders, p.settling AS settling_packets, p.settling_cents,
              o.recent AS recent_orders, p.recent AS recent_packets, p.recent_cents
         FROM window_edge w, orders o, packets p`,
      [this.settled.until, SETTLE_SECONDS],
    );
    this.settled = {
      until: row.until,
      orders: this.settled.orders + row.settling_orders,
      packets: this.settled.packets + row.settling_packets,
      cents: this.settled.cents + BigInt(row.settling_cents),
    };
    return {
      orders: this.settled.orders + row.recent_orders,
      packetsGranted: this.settled.packets + row.recent_packets,
      grantedCents: (this.settled.cents + BigInt(row.recent_cents)).toString(),
    };
  }
}

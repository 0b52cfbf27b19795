/** An order as a run checks it, whether it came from the run's window or from the pending repairs. */
export interface OrderToCheck {
  order_id: string;
  user_id: string;
  item_count: number;
  total_cents: string;
  /** Kept as Postgres text: a JS Date would cut microseconds and the keyset would revisit rows. */
  created_at: string;
  /** To the millisecond, as the event carries it: the time that picks the rule, on both paths alike. */
  placed_at: Date;
  decided: boolean;
  /** The W3C traceparent the order was placed in; null when tracing was off. */
  trace_context: string | null;
}

/**
 * The columns of an `OrderToCheck`, read from `ordering.orders_for_reconciliation o`: one list for the window
 * and the pending repairs, so the two cannot check an order differently.
 */
export const ORDER_TO_CHECK_COLUMNS = `
  o.order_id, o.user_id, o.item_count, o.total_cents, o.created_at::text AS created_at, o.trace_context,
  date_trunc('milliseconds', o.created_at) AS placed_at,
  EXISTS (SELECT 1 FROM rewards.reward_decisions d WHERE d.order_id = o.order_id) AS decided`;

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Placing an order becomes one statement: `SELECT ordering.place_order(...)`, sent on its own, is its own
 * transaction, so the order service pays one round trip per order where it paid twelve (BEGIN, ten
 * statements, COMMIT). The steps, and the guarantees they give, are the ones the service ran itself:
 *
 * 1. the customer's Idempotency-Key is locked for this transaction; a concurrent duplicate is told
 *    "in flight" at once instead of waiting;
 * 2. a live record for the key replays its response (or refuses a different request under it); an
 *    expired one is deleted so the key can be used afresh;
 * 3. every line is priced from the catalogue, once; a SKU that is not on sale refuses the order, and
 *    nothing else is written;
 * 4. the customer's lock is held to commit, so one customer's orders commit one at a time and their
 *    outbox ids follow commit order, the order the relay sends a key's events in. A wait for it (or for
 *    any lock) longer than `lock_timeout` (3 s) fails the statement with SQLSTATE 55P03 and writes
 *    nothing: a customer firing many orders at once holds a pooled connection per order for 3 s at most;
 * 5. the order, its lines, OrderPurchased in the outbox (with the caller's trace context, when tracing is
 *    on) and the response under the key are written together, and the NOTIFY that wakes the relay is sent
 *    at commit.
 *
 * The answer is one jsonb value: `{"outcome": "placed" | "replayed", "status", "body"}`, or
 * `{"outcome": "in-flight" | "key-reused"}`, or `{"outcome": "unknown-products", "skus": [...]}`.
 * Times are the transaction's `now()` truncated to the millisecond, as the reconciler reads them.
 */
export class PlaceOrderFunction1764000000009 implements MigrationInterface {
  name = 'PlaceOrderFunction1764000000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION ordering.place_order(
        p_user_id             text,
        p_idempotency_key     text,
        p_request_hash        text,
        p_key_ttl_seconds     integer,
        p_order_id            uuid,
        p_event_id            uuid,
        p_topic               text,
        p_notify_channel      text,
        p_skus                text[],
        p_quantities          integer[],
        p_with_wallet_version boolean,
        p_trace_context       text
      ) RETURNS jsonb
      LANGUAGE plpgsql
      SET lock_timeout = '3s'
      AS $$
      DECLARE
        previous    ordering.idempotency_keys%ROWTYPE;
        prices      bigint[];
        placed      ordering.orders%ROWTYPE;
        placed_at   text;
        order_view  jsonb;
        order_event jsonb;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(hashtextextended('idempotency:' || p_user_id || ':' || p_idempotency_key, 0)) THEN
          RETURN jsonb_build_object('outcome', 'in-flight');
        END IF;

        SELECT * INTO previous FROM ordering.idempotency_keys
         WHERE user_id = p_user_id AND idempotency_key = p_idempotency_key;
        IF FOUND AND previous.expires_at > now() THEN
          IF previous.request_hash <> p_request_hash THEN
            RETURN jsonb_build_object('outcome', 'key-reused');
          END IF;
          RETURN jsonb_build_object('outcome', 'replayed', 'status', previous.response_status, 'body', previous.response_body);
        END IF;
        IF FOUND THEN
          DELETE FROM ordering.idempotency_keys WHERE user_id = p_user_id AND idempotency_key = p_idempotency_key;
        END IF;

        SELECT array_agg(product.unit_price_cents ORDER BY line.line_no) INTO prices
          FROM unnest(p_skus) WITH ORDINALITY AS line(sku, line_no)
          LEFT JOIN ordering.products product ON product.sku = line.sku AND product.on_sale;
        IF array_position(prices, NULL) IS NOT NULL THEN
          RETURN jsonb_build_object('outcome', 'unknown-products', 'skus', (
            SELECT jsonb_agg(DISTINCT line.sku)
              FROM unnest(p_skus, prices) AS line(sku, unit_price_cents)
             WHERE line.unit_price_cents IS NULL));
        END IF;

        PERFORM pg_advisory_xact_lock(hashtextextended('orders-of:' || p_user_id, 0));

        INSERT INTO ordering.orders (order_id, user_id, item_count, total_cents, status, trace_context)
        SELECT p_order_id, p_user_id, sum(line.quantity), sum(line.quantity * line.unit_price_cents), 'PLACED',
               p_trace_context
          FROM unnest(p_quantities, prices) AS line(quantity, unit_price_cents)
        RETURNING * INTO placed;
        INSERT INTO ordering.order_items (order_id, line_no, sku, quantity, unit_price_cents)
        SELECT p_order_id, line.line_no, line.sku, line.quantity, line.unit_price_cents
          FROM unnest(p_skus, p_quantities, prices) WITH ORDINALITY AS line(sku, quantity, unit_price_cents, line_no);

        placed_at := to_char(placed.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
        order_view := jsonb_build_object(
          'orderId', placed.order_id, 'userId', placed.user_id, 'itemCount', placed.item_count,
          'totalCents', placed.total_cents, 'status', placed.status, 'createdAt', placed_at);
        order_event := jsonb_build_object(
          'eventId', p_event_id, 'orderId', placed.order_id, 'userId', placed.user_id,
          'itemCount', placed.item_count, 'totalCents', placed.total_cents, 'occurredAt', placed_at);
        IF p_with_wallet_version THEN
          -- The version-in-message comparison strategy only: the textbook read of the consumer's state.
          order_event := order_event || jsonb_build_object('walletVersion',
            coalesce((SELECT version FROM rewards.wallets WHERE user_id = p_user_id), 0));
        END IF;

        INSERT INTO ordering.outbox (event_id, topic, message_key, event_type, schema_version, payload, trace_context)
        VALUES (p_event_id, p_topic, p_user_id, 'OrderPurchased', 1, order_event, p_trace_context);
        PERFORM pg_notify(p_notify_channel, '');

        INSERT INTO ordering.idempotency_keys
               (user_id, idempotency_key, request_hash, response_status, response_body, expires_at)
        VALUES (p_user_id, p_idempotency_key, p_request_hash, 201, order_view, now() + make_interval(secs => p_key_ttl_seconds));

        RETURN jsonb_build_object('outcome', 'placed', 'status', 201, 'body', order_view);
      END
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION ordering.place_order');
  }
}

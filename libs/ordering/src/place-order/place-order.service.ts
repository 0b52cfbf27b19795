import { Inject, Injectable } from '@nestjs/common';
import { BaseConfig } from '@redpacket/config';
import { namespaced, newEventId, TOPICS } from '@redpacket/contracts';
import { queryPrepared, TransactionRunner } from '@redpacket/database';
import { SpanKind } from '@opentelemetry/api';
import { inSpan, Metrics, traceparentOf } from '@redpacket/observability';
import { DataSource } from 'typeorm';
import {
  CustomerOrdersBusyError,
  IdempotencyKeyInFlightError,
  IdempotencyKeyReusedError,
  isLockTimeout,
} from '../idempotency/idempotency.errors';
import type { StoredResponse } from '../idempotency/idempotency-key.store';
import { requestFingerprint } from '../idempotency/request-fingerprint';
import { ORDERING_OPTIONS, type OrderingOptions } from '../ordering.options';
import { DatabaseBusyError, isDatabaseBusy } from './order-admission.errors';
import { unknownProductsError } from './product-catalogue';
import type { PlaceOrderDto } from './place-order.dto';

export interface PlaceOrderResult extends StoredResponse {
  replayed: boolean;
}

/** What `ordering.place_order` answers (migrations/1764000000009-place-order-function.ts). */
type PlaceOrderOutcome =
  | { outcome: 'placed' | 'replayed'; status: number; body: object }
  | { outcome: 'in-flight' | 'key-reused' }
  | { outcome: 'unknown-products'; skus: string[] };

const ORDER_TRANSACTION_SPAN = {
  kind: SpanKind.CLIENT,
  attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT ordering.place_order' },
};

const PLACE_ORDER = {
  name: 'place-order',
  text: 'SELECT ordering.place_order($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) AS placed',
};

/**
 * Places an order exactly once per Idempotency-Key, in ONE statement that is its own transaction: the
 * database function locks the key, replays or refuses a known key, prices the lines, inserts the order
 * and its lines, appends OrderPurchased to the outbox and stores the response under the key. One round
 * trip per order; the steps and why each is there are in the migration that creates the function.
 */
@Injectable()
export class PlaceOrderService {
  private readonly topic: string;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    @Inject(ORDERING_OPTIONS) private readonly options: OrderingOptions,
    @Inject(BaseConfig) config: BaseConfig,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.topic = namespaced(config.KAFKA_NAMESPACE, TOPICS.orderPurchased);
  }

  /**
   * Keys are the customer's own: two customers who pick the same key each get their own order.
   * 400 naming the line when a SKU is not in the catalogue or not on sale; nothing is written then.
   */
  async placeOrder(userId: string, idempotencyKey: string, order: PlaceOrderDto): Promise<PlaceOrderResult> {
    const placed = await inSpan('order transaction', ORDER_TRANSACTION_SPAN, async (span) => {
      const outcome = await this.placeOnce(userId, idempotencyKey, order);
      span.setAttribute('order.outcome', outcome.outcome);
      if (outcome.outcome === 'placed' || outcome.outcome === 'replayed')
        span.setAttribute('order.id', (outcome.body as { orderId: string }).orderId);
      return outcome;
    });
    switch (placed.outcome) {
      case 'in-flight':
        throw new IdempotencyKeyInFlightError();
      case 'key-reused':
        throw new IdempotencyKeyReusedError();
      case 'unknown-products':
        throw unknownProductsError(order.items, placed.skus);
    }
    const replayed = placed.outcome === 'replayed';
    (replayed ? this.metrics.idempotentReplays : this.metrics.ordersPlaced).inc();
    return { status: placed.status, body: placed.body, replayed };
  }

  /** One call of `ordering.place_order`, carrying the active span's trace context into the outbox row. */
  private async placeOnce(userId: string, idempotencyKey: string, order: PlaceOrderDto): Promise<PlaceOrderOutcome> {
    const [{ placed }] = await this.callPlaceOrder([
      userId,
      idempotencyKey,
      requestFingerprint(order),
      this.options.idempotencyKeyTtlSeconds,
      newEventId(),
      newEventId(),
      this.topic,
      this.options.outbox.channel,
      order.items.map((item) => item.sku),
      order.items.map((item) => item.quantity),
      this.options.eventCarriesWalletVersion,
      traceparentOf() ?? null,
    ]);
    return placed;
  }

  /**
   * On its own, the call is its own transaction. Inside `TransactionRunner.run(...)` it joins the open
   * transaction instead, and commits or rolls back with the caller's other writes. A lock it waited for
   * too long (the function's `lock_timeout`) is a 409 the client may retry; no connection to send it on
   * (the pool's wait ran out, Postgres refused one) is a 503: the statement never ran.
   */
  private async callPlaceOrder(values: unknown[]): Promise<{ placed: PlaceOrderOutcome }[]> {
    const open = this.transactions.openTransaction;
    try {
      if (open) return await open.query(PLACE_ORDER.text, values);
      return await queryPrepared(this.dataSource, PLACE_ORDER, values);
    } catch (error) {
      if (isLockTimeout(error) || isLockTimeout((error as { driverError?: unknown }).driverError)) {
        throw new CustomerOrdersBusyError();
      }
      if (isDatabaseBusy(error)) throw new DatabaseBusyError(error);
      throw error;
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { BaseConfig } from '@redpacket/config';
import { namespaced, newEventId, ORDER_PURCHASED, type OrderPurchasedV1, TOPICS } from '@redpacket/contracts';
import { TransactionRunner } from '@redpacket/database';
import { Metrics } from '@redpacket/observability';
import { type OutboxEvent, OutboxWriter } from '@redpacket/outbox';
import type { EntityManager } from 'typeorm';
import { IdempotencyKeyInFlightError, IdempotencyKeyReusedError } from '../idempotency/idempotency.errors';
import { IdempotencyKeyStore, type ScopedKey, type StoredResponse } from '../idempotency/idempotency-key.store';
import { requestFingerprint } from '../idempotency/request-fingerprint';
import { type OrderRow, toOrderView } from '../order.view';
import { ORDERING_OPTIONS, type OrderingOptions } from '../ordering.options';
import { orderTotals, type PricedLine } from './order-totals';
import { ProductCatalogue } from './product-catalogue';
import type { PlaceOrderDto } from './place-order.dto';

export interface PlaceOrderResult extends StoredResponse {
  replayed: boolean;
}

/**
 * Places an order exactly once per Idempotency-Key. In ONE transaction: lock the key, replay or
 * refuse a known key, insert the order and its lines, append OrderPurchased to the outbox, store
 * the response under the key.
 */
@Injectable()
export class PlaceOrderService {
  private readonly keys = new IdempotencyKeyStore();
  private readonly catalogue = new ProductCatalogue();
  private readonly outbox: OutboxWriter;

  constructor(
    private readonly transactions: TransactionRunner,
    @Inject(ORDERING_OPTIONS) private readonly options: OrderingOptions,
    @Inject(BaseConfig) private readonly config: BaseConfig,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.outbox = new OutboxWriter(transactions, options.outbox);
  }

  /** 400 naming the line when a SKU is not in the catalogue or not on sale; nothing is written then. */
  async placeOrder(userId: string, idempotencyKey: string, order: PlaceOrderDto): Promise<PlaceOrderResult> {
    const result = await this.placeOnce({ userId, key: idempotencyKey }, order);
    (result.replayed ? this.metrics.idempotentReplays : this.metrics.ordersPlaced).inc();
    return result;
  }

  /** Keys are the customer's own: two customers who pick the same key each get their own order. */
  private placeOnce(idempotencyKey: ScopedKey, order: PlaceOrderDto): Promise<PlaceOrderResult> {
    const requestHash = requestFingerprint(order);
    return this.transactions.run(async (manager) => {
      if (!(await this.keys.tryLock(manager, idempotencyKey))) throw new IdempotencyKeyInFlightError();
      const previous = await this.keys.find(manager, idempotencyKey);
      if (previous) {
        if (previous.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
        return { status: previous.status, body: previous.body, replayed: true };
      }
      const lines = await this.catalogue.price(manager, order.items);
      await this.oneAtATimePerCustomer(manager, idempotencyKey.userId);
      const row = await this.insertOrder(manager, idempotencyKey.userId, lines);
      await this.outbox.append(await this.orderPurchasedEvent(manager, row));
      const response = { status: 201, body: toOrderView(row) };
      await this.keys.save(
        manager,
        idempotencyKey,
        { ...response, requestHash },
        this.options.idempotencyKeyTtlSeconds,
      );
      return { ...response, replayed: false };
    });
  }

  /**
   * A customer's orders are placed one after another: the transaction holds the customer's lock until it
   * commits, so their outbox rows are numbered in the order they commit. The relay, which sends a key's
   * rows in that numbering, then sends them in commit order: two concurrent orders of one customer
   * cannot reach Kafka in the opposite order to the one they committed in.
   */
  private async oneAtATimePerCustomer(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('orders-of:' || $1, 0))`, [userId]);
  }

  private async insertOrder(manager: EntityManager, userId: string, lines: PricedLine[]): Promise<OrderRow> {
    const { itemCount, totalCents } = orderTotals(lines);
    const [row] = await manager.query<OrderRow[]>(
      `INSERT INTO ordering.orders (order_id, user_id, item_count, total_cents, status)
       VALUES ($1, $2, $3, $4, 'PLACED')
       RETURNING order_id, user_id, item_count, total_cents, status, created_at`,
      [newEventId(), userId, itemCount, totalCents.toString()],
    );
    await manager.query(
      `INSERT INTO ordering.order_items (order_id, line_no, sku, quantity, unit_price_cents)
       SELECT $1, line_no, sku, quantity, unit_price_cents
         FROM unnest($2::text[], $3::int[], $4::bigint[]) WITH ORDINALITY AS item(sku, quantity, unit_price_cents, line_no)`,
      [
        row.order_id,
        lines.map((line) => line.sku),
        lines.map((line) => line.quantity),
        lines.map((line) => line.unitPriceCents.toString()),
      ],
    );
    return row;
  }

  private async orderPurchasedEvent(manager: EntityManager, row: OrderRow): Promise<OutboxEvent> {
    const payload: OrderPurchasedV1 = {
      eventId: newEventId(),
      orderId: row.order_id,
      userId: row.user_id,
      itemCount: row.item_count,
      totalCents: Number(row.total_cents),
      occurredAt: row.created_at.toISOString(),
    };
    if (this.options.eventCarriesWalletVersion)
      payload.walletVersion = await this.walletVersionOf(manager, row.user_id);
    return {
      eventId: payload.eventId,
      topic: namespaced(this.config.KAFKA_NAMESPACE, TOPICS.orderPurchased),
      key: row.user_id,
      eventType: ORDER_PURCHASED,
      schemaVersion: 1,
      payload,
    };
  }

  /** The textbook variant's read of the consumer's state, kept only to show why it loses rewards. */
  private async walletVersionOf(manager: EntityManager, userId: string): Promise<number> {
    const [row] = await manager.query<{ version: string }[]>('SELECT version FROM rewards.wallets WHERE user_id = $1', [
      userId,
    ]);
    return row ? Number(row.version) : 0;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type OrderRow, type OrderView, toOrderView } from '../order.view';

export interface OrderPage {
  items: OrderView[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const ORDER_COLUMNS = 'order_id, user_id, item_count, total_cents, status, created_at';

@Injectable()
export class OrdersQueries {
  constructor(private readonly dataSource: DataSource) {}

  async findOrder(orderId: string): Promise<OrderView | undefined> {
    const [row] = await this.dataSource.query<OrderRow[]>(
      `SELECT ${ORDER_COLUMNS} FROM ordering.orders WHERE order_id = $1`,
      [orderId],
    );
    return row && toOrderView(row);
  }

  /** Newest first, keyset-paginated on the time-ordered order id: stable under concurrent inserts. */
  async listUserOrders(userId: string, limit: number, cursor?: string): Promise<OrderPage> {
    const rows = await this.dataSource.query<OrderRow[]>(
      `SELECT ${ORDER_COLUMNS} FROM ordering.orders
        WHERE user_id = $1 AND ($2::uuid IS NULL OR order_id < $2::uuid)
        ORDER BY order_id DESC
        LIMIT $3`,
      [userId, cursor ?? null, limit + 1],
    );
    const page = rows.slice(0, limit).map(toOrderView);
    return { items: page, nextCursor: rows.length > limit ? page[page.length - 1].orderId : null };
  }
}

import type { DataSource } from 'typeorm';

export interface RowCounts {
  orders: number;
  orderItems: number;
  outbox: number;
  idempotencyKeys: number;
}

export async function countRows(dataSource: DataSource): Promise<RowCounts> {
  const [row] = await dataSource.query<Record<keyof RowCounts, string>[]>(`
    SELECT (SELECT count(*) FROM ordering.orders) AS "orders",
           (SELECT count(*) FROM ordering.order_items) AS "orderItems",
           (SELECT count(*) FROM ordering.outbox) AS "outbox",
           (SELECT count(*) FROM ordering.idempotency_keys) AS "idempotencyKeys"`);
  return {
    orders: Number(row.orders),
    orderItems: Number(row.orderItems),
    outbox: Number(row.outbox),
    idempotencyKeys: Number(row.idempotencyKeys),
  };
}

import { ApiProperty } from '@nestjs/swagger';

/** What the API returns for an order. Amounts are integer cents. */
export class OrderView {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty() userId: string;
  @ApiProperty() itemCount: number;
  @ApiProperty() totalCents: number;
  @ApiProperty({ example: 'PLACED' }) status: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export interface OrderRow {
  order_id: string;
  user_id: string;
  item_count: number;
  total_cents: string;
  status: string;
  created_at: Date;
}

/** bigint arrives from pg as a string; order totals are bounded far below 2^53, so Number is exact. */
export function toOrderView(row: OrderRow): OrderView {
  return {
    orderId: row.order_id,
    userId: row.user_id,
    itemCount: row.item_count,
    totalCents: Number(row.total_cents),
    status: row.status,
    createdAt: row.created_at.toISOString(),
  };
}

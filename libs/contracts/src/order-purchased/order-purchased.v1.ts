import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { MAX_AMOUNT_CENTS, MAX_ITEM_COUNT, USER_ID_PATTERN, USER_ID_RULE } from './order-limits';

export const ORDER_PURCHASED = 'OrderPurchased';

/**
 * OrderPurchased, schema version 1. Key: userId (one user's events stay in order on one partition).
 * Amounts are integer cents.
 */
export class OrderPurchasedV1 {
  /** UUIDv7 assigned once when the order was written; the consumer's deduplication key. */
  @IsUUID()
  eventId: string;

  @IsUUID()
  orderId: string;

  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  userId: string;

  @IsInt()
  @Min(1)
  @Max(MAX_ITEM_COUNT)
  itemCount: number;

  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT_CENTS)
  totalCents: number;

  @IsISO8601({ strict: true })
  occurredAt: string;

  /**
   * Only for the `version-in-message` grant strategy, kept to show why it loses rewards:
   * the wallet version the producer saw when it wrote the event.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  walletVersion?: number;
}

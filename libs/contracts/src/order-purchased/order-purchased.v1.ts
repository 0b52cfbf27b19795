import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

export const ORDER_PURCHASED = 'OrderPurchased';

/** Upper bound for any amount in an event: well inside the range JSON numbers hold exactly. */
export const MAX_AMOUNT_CENTS = 1_000_000_000_000;

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
  @Length(1, 64)
  userId: string;

  @IsInt()
  @Min(1)
  @Max(100_000)
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

import { ApiProperty } from '@nestjs/swagger';
import { USER_ID_PATTERN } from '@redpacket/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const MAX_ITEMS_PER_ORDER = 100;
export const MAX_QUANTITY = 1_000;
/** 100,000.00 in cents: with 100 lines of 1,000 units the total stays ≤ 10^12 cents, exact in JSON. */
export const MAX_UNIT_PRICE_CENTS = 10_000_000;

export class OrderItemDto {
  @ApiProperty({ example: 'SKU-RED-MUG', maxLength: 64 })
  @IsString()
  @Matches(/^[\x21-\x7e]{1,64}$/, { message: 'sku must be 1-64 printable ASCII characters without spaces' })
  sku: string;

  @ApiProperty({ minimum: 1, maximum: MAX_QUANTITY, example: 2 })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;

  @ApiProperty({ minimum: 0, maximum: MAX_UNIT_PRICE_CENTS, example: 1299, description: 'integer minor units' })
  @IsInt()
  @Min(0)
  @Max(MAX_UNIT_PRICE_CENTS)
  unitPriceCents: number;
}

export class PlaceOrderDto {
  @ApiProperty({ example: 'user-42', pattern: USER_ID_PATTERN.source })
  @IsString()
  @Matches(USER_ID_PATTERN, { message: 'userId must be 1-64 characters of [A-Za-z0-9_.:@-]' })
  userId: string;

  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: MAX_ITEMS_PER_ORDER })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS_PER_ORDER)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items: OrderItemDto[];
}

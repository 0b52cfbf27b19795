import { ApiProperty } from '@nestjs/swagger';
import { MAX_LINES_PER_ORDER, MAX_QUANTITY } from '@redpacket/contracts';
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

export class OrderItemDto {
  @ApiProperty({ example: 'MUG', maxLength: 64, description: "a SKU of the catalogue; its price is the server's" })
  @IsString()
  @Matches(/^[\x21-\x7e]{1,64}$/, { message: 'sku must be 1-64 printable ASCII characters without spaces' })
  sku: string;

  @ApiProperty({ minimum: 1, maximum: MAX_QUANTITY, example: 2 })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;
}

/** The customer is the bearer token's subject, so a body naming a user is refused like any unknown field. */
export class PlaceOrderDto {
  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: MAX_LINES_PER_ORDER })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINES_PER_ORDER)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items: OrderItemDto[];
}

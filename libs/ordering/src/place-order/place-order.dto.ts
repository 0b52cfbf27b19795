import { ApiProperty } from '@nestjs/swagger';
import { MAX_LINES_PER_ORDER, MAX_QUANTITY, USER_ID_PATTERN, USER_ID_RULE } from '@redpacket/contracts';
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

export class PlaceOrderDto {
  @ApiProperty({ example: 'user-42', pattern: USER_ID_PATTERN.source })
  @IsString()
  @Matches(USER_ID_PATTERN, { message: USER_ID_RULE })
  userId: string;

  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: MAX_LINES_PER_ORDER })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINES_PER_ORDER)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items: OrderItemDto[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** A new rule version. Cross-field rules (minCents ≤ maxCents) are checked by `validateRewardRule`. */
export class AddRewardRuleDto {
  @ApiProperty({ minimum: 1, example: 3 })
  @IsInt()
  @Min(1)
  @Max(1_000)
  minItems: number;

  @ApiProperty({ minimum: 0, maximum: 10_000, example: 500, description: 'basis points of the order total' })
  @IsInt()
  @Min(0)
  @Max(10_000)
  percentBasisPoints: number;

  @ApiProperty({ minimum: 0, example: 100 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  minCents: number;

  @ApiProperty({ minimum: 0, example: 5000 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  maxCents: number;

  @ApiProperty({ format: 'date-time', description: 'at least 2 s from now; orders placed from then on use it' })
  @IsISO8601({ strict: true })
  effectiveFrom: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

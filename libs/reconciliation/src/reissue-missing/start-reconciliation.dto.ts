import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional } from 'class-validator';

export class StartReconciliationDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'only orders created at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'only orders created before this time (capped at now − grace)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'every order ever placed, instead of from the last covered point (ignored with since)',
  })
  @IsOptional()
  @IsBoolean()
  full?: boolean;

  @ApiPropertyOptional({ default: false, description: 'count what is missing, grant nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

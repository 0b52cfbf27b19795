import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequiresAdminScope } from '@redpacket/platform';
import type { ReconciliationRun } from './reconciliation-run';
import { ReissueMissingService } from './reissue-missing.service';
import { StartReconciliationDto } from './start-reconciliation.dto';

@ApiTags('admin')
@RequiresAdminScope('reconcile')
@Controller('admin/reconciliations')
export class ReconciliationsController {
  constructor(private readonly reconciliations: ReissueMissingService) {}

  /**
   * Runs a reconciliation now and returns its report; 409 while another one runs. Incremental unless
   * `since` (a window) or `full` is given.
   */
  @Post()
  @HttpCode(201)
  start(@Body() body: StartReconciliationDto): Promise<ReconciliationRun> {
    return this.reconciliations.run({
      trigger: 'api',
      scan: body.full ? 'full' : 'incremental',
      since: body.since ? new Date(body.since) : undefined,
      until: body.until ? new Date(body.until) : undefined,
      dryRun: body.dryRun,
    });
  }

  @Get(':runId')
  report(@Param('runId', new ParseUUIDPipe()) runId: string): Promise<ReconciliationRun> {
    return this.reconciliations.report(runId);
  }
}

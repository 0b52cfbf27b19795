import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { RewardsModule, type RewardsOptions } from '@redpacket/rewards';
import { RECONCILIATION_OPTIONS, type ReconciliationOptions } from './reconciliation.options';
import { ReconciliationScheduler, SCHEDULE_OPTIONS, type ScheduleOptions } from './reconciliation.scheduler';
import { PendingRepairsRepository } from './reissue-missing/pending-repairs.repository';
import { ReconciliationRunRepository } from './reissue-missing/reconciliation-run.repository';
import { ReconciliationsController } from './reissue-missing/reconciliations.controller';
import { ReissueMissingService } from './reissue-missing/reissue-missing.service';
import { TwoWayCheck } from './reissue-missing/two-way-check';
import { ReissueOrderService } from './reissue-missing/reissue-order.service';
import { RETENTION_OPTIONS, type RetentionOptions, RetentionService } from './retention/retention.service';

export interface ReconciliationModuleOptions {
  rewards: RewardsOptions;
  reconciliation: ReconciliationOptions;
  retention: RetentionOptions;
  schedule: ScheduleOptions;
}

@Module({})
export class ReconciliationModule {
  static forRoot(options: ReconciliationModuleOptions): DynamicModule {
    return {
      module: ReconciliationModule,
      imports: [ScheduleModule.forRoot(), RewardsModule.forGrants({ rewards: options.rewards })],
      controllers: [ReconciliationsController],
      providers: [
        { provide: RECONCILIATION_OPTIONS, useValue: options.reconciliation },
        { provide: RETENTION_OPTIONS, useValue: options.retention },
        { provide: SCHEDULE_OPTIONS, useValue: options.schedule },
        ReconciliationRunRepository,
        PendingRepairsRepository,
        TwoWayCheck,
        ReissueOrderService,
        ReissueMissingService,
        RetentionService,
        ReconciliationScheduler,
      ],
      exports: [ReissueMissingService, RetentionService],
    };
  }
}

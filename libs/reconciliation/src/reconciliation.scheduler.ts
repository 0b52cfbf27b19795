import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { ReconciliationAlreadyRunningError } from './reissue-missing/reconciliation.errors';
import { ReissueMissingService } from './reissue-missing/reissue-missing.service';
import { RetentionService } from './retention/retention.service';

export const SCHEDULE_OPTIONS = Symbol('SCHEDULE_OPTIONS');

export interface ScheduleOptions {
  enabled: boolean;
  reconcileCron: string;
  retentionCron: string;
}

/**
 * Runs an incremental reconciliation and the retention purge on their cron schedules; a run refused by the
 * lock is just skipped.
 */
@Injectable()
export class ReconciliationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconciliationScheduler.name);

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly reconciliations: ReissueMissingService,
    private readonly retention: RetentionService,
    @Inject(SCHEDULE_OPTIONS) private readonly options: ScheduleOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.schedule('reconcile', this.options.reconcileCron, () =>
      this.reconciliations.run({ trigger: 'schedule', scan: 'incremental' }),
    );
    this.schedule('retention', this.options.retentionCron, () => this.retention.purge());
  }

  onApplicationShutdown(): void {
    for (const name of this.registry.getCronJobs().keys()) this.registry.deleteCronJob(name);
  }

  private schedule(name: string, cron: string, work: () => Promise<unknown>): void {
    const job = CronJob.from({
      cronTime: cron,
      onTick: async () => {
        try {
          await work();
        } catch (error) {
          if (error instanceof ReconciliationAlreadyRunningError) return;
          this.logger.error(`scheduled ${name} failed`, { error: (error as Error).message });
        }
      },
    });
    this.registry.addCronJob(name, job);
    job.start();
  }
}

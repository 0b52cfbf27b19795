import { Controller, Get, Headers, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { BaseConfig } from '@redpacket/config';
import { KafkaAdmin } from '@redpacket/kafka';
import { tokensMatch } from '../auth/admin-token.guard';
import { DataSource } from 'typeorm';
import { READINESS_CHECK, type ReadinessCheck } from './readiness-check';

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
export class DependencyHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(KafkaAdmin) private readonly kafkaAdmin: KafkaAdmin,
  ) {}

  async database() {
    const indicator = this.indicators.check('database');
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 'postgres');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  async kafka() {
    const indicator = this.indicators.check('kafka');
    try {
      const brokers = await withTimeout(this.kafkaAdmin.brokerCount(), 'kafka');
      return indicator.up({ brokers });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

/**
 * Liveness says the process runs. Readiness says its database and broker answer, and that every part
 * registered under READINESS_CHECK (a consumer: in its group, no partition stuck) is ready.
 * Anyone gets the status (200 or 503 with `{"status": ...}`); the details (driver errors, partitions,
 * offsets) only a caller with the admin bearer token.
 */
@Controller('health')
export class HealthController {
  private checks: ReadinessCheck[] | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly dependencies: DependencyHealthIndicators,
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
    @Inject(BaseConfig) private readonly config: BaseConfig,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  async ready(@Headers('authorization') authorization: string | undefined) {
    const detailed = this.mayReadDetails(authorization);
    try {
      const result = await this.health.check([
        () => this.dependencies.database(),
        () => this.dependencies.kafka(),
        ...this.readinessChecks().map((check) => () => this.partReadiness(check)),
      ]);
      return detailed ? result : { status: result.status };
    } catch (error) {
      if (detailed || !(error instanceof ServiceUnavailableException)) throw error;
      throw new ServiceUnavailableException({ status: 'error' });
    }
  }

  private mayReadDetails(authorization: string | undefined): boolean {
    const presented = authorization ? /^Bearer (\S+)$/.exec(authorization)?.[1] : undefined;
    return Boolean(presented && this.config.ADMIN_TOKEN && tokensMatch(presented, this.config.ADMIN_TOKEN));
  }

  private partReadiness(check: ReadinessCheck) {
    const { ready, ...details } = check.readiness();
    const indicator = this.indicators.check(check.readinessName);
    return ready ? indicator.up(details) : indicator.down(details);
  }

  /** Found across the whole app, once: the modules that offer them are not this one's imports. */
  private readinessChecks(): ReadinessCheck[] {
    if (!this.checks) {
      try {
        this.checks = this.moduleRef.get<ReadinessCheck>(READINESS_CHECK, { strict: false, each: true });
      } catch {
        this.checks = [];
      }
    }
    return this.checks;
  }
}

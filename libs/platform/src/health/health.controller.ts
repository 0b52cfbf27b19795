import { Controller, Get, Headers, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { adminCredentialsOf, BaseConfig } from '@redpacket/config';
import { pingDatabase } from '@redpacket/database';
import { KafkaReachability } from '@redpacket/kafka';
import { presentedCredential } from '../auth/admin-scope.guard';
import { DataSource } from 'typeorm';
import { READINESS_CHECK, type ReadinessCheck } from './readiness-check';

const PROBE_TIMEOUT_MS = 2_000;

/**
 * Runs `work` for at most PROBE_TIMEOUT_MS. Past it the signal aborts, so the work ends what it
 * started (a connection cut, a query given up), and the caller hears that `what` did not answer.
 */
function withDeadline<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`));
    }, PROBE_TIMEOUT_MS);
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

type KafkaAnswer = { reachable: true; brokers: number } | { reachable: false; message: string };

@Injectable()
export class DependencyHealthIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(KafkaReachability) private readonly kafkaReachability: KafkaReachability,
  ) {}

  private databasePing: Promise<string | undefined> | undefined;

  /**
   * One `SELECT 1` at a time, shared by every caller that arrives while it runs, and given up after 2 s
   * (the pool then closes the connection it ran on): a database that does not answer keeps at most one
   * ping waiting on it, however often readiness is asked.
   */
  async database() {
    this.databasePing ??= withDeadline('postgres', () => pingDatabase(this.dataSource, PROBE_TIMEOUT_MS))
      .then(
        () => undefined,
        (error: Error) => error.message,
      )
      .finally(() => (this.databasePing = undefined));
    const failure = await this.databasePing;
    const indicator = this.indicators.check('database');
    return failure === undefined ? indicator.up() : indicator.down({ message: failure });
  }

  private kafkaProbe: Promise<KafkaAnswer> | undefined;

  /**
   * Kafka answering is never a readiness condition by itself: each part that needs it says so. Callers
   * arriving while a probe is in flight share it, and a probe that times out cuts its own connections,
   * so a broker that does not answer piles up nothing.
   */
  kafka(): Promise<KafkaAnswer> {
    this.kafkaProbe ??= this.probeKafka().finally(() => (this.kafkaProbe = undefined));
    return this.kafkaProbe;
  }

  private async probeKafka(): Promise<KafkaAnswer> {
    try {
      const brokers = await withDeadline('kafka', (signal) => this.kafkaReachability.brokerCount(signal));
      return { reachable: true, brokers };
    } catch (error) {
      return { reachable: false, message: (error as Error).message };
    }
  }
}

/**
 * Liveness (`/health/live`) says the process runs and should not be restarted: it answers 200 whatever its
 * dependencies do. Readiness (`/health/ready`) says the app can do its main job now: its database answers
 * and every part registered under READINESS_CHECK is ready (the reward consumer: in its group, no partition
 * stuck). Kafka being away is not by itself a 503: an order service still takes orders into its outbox. It
 * is named in `degraded`, with every part that works less than fully (a relay waiting for Kafka).
 * Anyone gets the status and the names in `degraded`; the details (driver errors, partitions, offsets)
 * only a caller with the admin bearer token.
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
    const [kafka, result] = await Promise.all([this.dependencies.kafka(), this.check()]);
    const parts = this.readinessChecks().map((check) => ({ name: check.readinessName, report: check.readiness() }));
    const degraded = [
      ...(kafka.reachable ? [] : ['kafka']),
      ...parts.filter(({ report }) => report.degraded).map(({ name }) => name),
    ];
    const answer = detailed
      ? { ...result.body, degraded, kafka: kafka.reachable ? { status: 'up', ...kafka } : { status: 'down', ...kafka } }
      : { status: result.body.status, degraded };
    if (!result.ready) throw new ServiceUnavailableException(answer);
    return answer;
  }

  private async check(): Promise<{ ready: boolean; body: { status: string } & Record<string, unknown> }> {
    try {
      const body = await this.health.check([
        () => this.dependencies.database(),
        ...this.readinessChecks().map((check) => () => this.partReadiness(check)),
      ]);
      return { ready: true, body };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return { ready: false, body: error.getResponse() as { status: string } & Record<string, unknown> };
    }
  }

  private mayReadDetails(authorization: string | undefined): boolean {
    return presentedCredential(adminCredentialsOf(this.config), authorization)?.scopes.includes('read') ?? false;
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
        this.checks = this.moduleRef
          .get<ReadinessCheck | ReadinessCheck[]>(READINESS_CHECK, { strict: false, each: true })
          .flat();
      } catch {
        this.checks = [];
      }
    }
    return this.checks;
  }
}

import { HealthIndicatorService } from '@nestjs/terminus';
import type { KafkaReachability } from '@redpacket/kafka';
import type { DataSource } from 'typeorm';
import { DependencyHealthIndicators } from './health.controller';

describe('readiness checks on a dependency that does not answer', () => {
  jest.setTimeout(10_000);

  it('share one query to the database and one call to Kafka, however many readiness calls wait', async () => {
    let queries = 0;
    let brokerCalls = 0;
    const hanging = new Promise<never>(() => undefined);
    // The pool under TypeORM, as pingDatabase reaches it.
    const dataSource = { driver: { master: { query: () => ((queries += 1), hanging) } } } as unknown as DataSource;
    const kafka = { brokerCount: () => ((brokerCalls += 1), hanging) } as unknown as KafkaReachability;
    const indicators = new DependencyHealthIndicators(new HealthIndicatorService(), dataSource, kafka);

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => Promise.all([indicators.database(), indicators.kafka()])),
    );

    expect({ queries, brokerCalls }).toEqual({ queries: 1, brokerCalls: 1 });
    for (const [database, kafka] of answers) {
      expect(database).toEqual({ database: { status: 'down', message: 'postgres did not answer within 2000 ms' } });
      expect(kafka).toEqual({ reachable: false, message: 'kafka did not answer within 2000 ms' });
    }
  });
});

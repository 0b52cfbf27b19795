import { Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { postgresDataSourceOptions } from '@redpacket/database';
import { KafkaReachability, openKafkaSocket } from '@redpacket/kafka';
import { DependencyHealthIndicators } from '../../../libs/platform/src/health/health.controller';
import { DataSource } from 'typeorm';
import { pollUntil } from '../../../testkit/infra/process-utils';
import { testCredentials, testTls } from '../../../testkit/support/kafka.helpers';
import { TcpProxy } from '../../../testkit/support/tcp-proxy';

jest.setTimeout(30_000);

/**
 * Readiness asks Postgres and Kafka through proxies that can turn into blackholes: a probe that gets
 * no answer is given up after 2 s, and so is its work. The connection it waited on is closed, not
 * left waiting for the client's own timeouts, so asking again and again piles nothing up.
 */
describe('readiness probes of a dependency that stops answering', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  let databaseProxy: TcpProxy;
  let kafkaProxies: TcpProxy[];
  let dataSource: DataSource;
  let kafka: KafkaReachability;
  let indicators: DependencyHealthIndicators;

  beforeAll(async () => {
    const serverUrl = new URL(process.env.TEST_SERVER_DATABASE_URL ?? '');
    databaseProxy = await TcpProxy.start(`${serverUrl.hostname}:${serverUrl.port || 5432}`, { raw: true });
    // TLS passes through untouched: the proxy forwards bytes, the client still verifies the broker.
    kafkaProxies = await Promise.all(brokers.map((broker) => TcpProxy.start(broker, { raw: true })));
    serverUrl.hostname = '127.0.0.1';
    serverUrl.port = String(databaseProxy.port);
    dataSource = await new DataSource(
      postgresDataSourceOptions({ url: serverUrl.toString(), poolSize: 2, applicationName: 'readiness-test' }),
    ).initialize();
    kafka = new KafkaReachability({
      brokers,
      clientId: 'readiness-test',
      logger: new Logger('ReadinessTest'),
      sasl: testCredentials(),
      tls: testTls() ?? undefined,
      // Every connection, the ones to advertised addresses included, goes through the proxies.
      socketFactory: (args) => {
        const proxy = kafkaProxies.find((candidate) => candidate.target.port === args.port);
        if (!proxy) throw new Error(`no proxy in front of broker ${args.host}:${args.port}`);
        return openKafkaSocket({ ...args, host: '127.0.0.1', port: proxy.port });
      },
    });
    indicators = new DependencyHealthIndicators(new HealthIndicatorService(), dataSource, kafka);
  });
  afterEach(() => [databaseProxy, ...kafkaProxies].forEach((proxy) => proxy.setFault({ kind: 'pass-through' })));
  afterAll(async () => {
    await Promise.all([databaseProxy, ...kafkaProxies].map((proxy) => proxy.close()));
    await dataSource.destroy().catch(() => undefined);
    await kafka.onApplicationShutdown();
  });

  it('gives a database ping up after 2 s with the connection it ran on, and answers again once Postgres does', async () => {
    expect(await indicators.database()).toEqual({ database: { status: 'up' } });
    const open = databaseProxy.openConnections;
    expect(open).toBeGreaterThan(0);

    databaseProxy.setFault({ kind: 'drop' });
    const answers = await Promise.all([indicators.database(), indicators.database(), indicators.database()]);
    for (const answer of answers) {
      expect(answer).toEqual({ database: { status: 'down', message: 'postgres did not answer within 2000 ms' } });
    }
    await pollUntil(
      'the ping’s connection to be closed',
      async () => (databaseProxy.openConnections < open ? true : undefined),
      { timeoutMs: 1_000, intervalMs: 20 },
    );

    databaseProxy.setFault({ kind: 'pass-through' });
    expect(await indicators.database()).toEqual({ database: { status: 'up' } });
  });

  it('cuts the connections of a Kafka probe that timed out, and answers again once the broker does', async () => {
    expect(await indicators.kafka()).toEqual({ reachable: true, brokers: brokers.length });
    expect(kafka.openConnections).toBeGreaterThan(0);

    kafkaProxies.forEach((proxy) => proxy.setFault({ kind: 'drop' }));
    const answers = await Promise.all([indicators.kafka(), indicators.kafka(), indicators.kafka()]);
    for (const answer of answers) {
      expect(answer).toEqual({ reachable: false, message: 'kafka did not answer within 2000 ms' });
    }
    // Without the cut, the request would wait out kafkajs's 30 s request timeout on an open connection.
    const open = () => kafka.openConnections + kafkaProxies.reduce((sum, proxy) => sum + proxy.openConnections, 0);
    await pollUntil('the probe’s connections to be cut', async () => (open() === 0 ? true : undefined), {
      timeoutMs: 1_000,
      intervalMs: 20,
    });

    kafkaProxies.forEach((proxy) => proxy.setFault({ kind: 'pass-through' }));
    expect(await indicators.kafka()).toEqual({ reachable: true, brokers: brokers.length });
  });
});

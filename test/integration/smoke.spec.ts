import { pollUntil } from '../../testkit/infra/process-utils';
import { TEST_ADMIN_TOKEN } from '../../testkit/support/reconciler.harness';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { allMigrations } from '../../migrations';
import { ensureTopics, systemTopics } from '@redpacket/kafka';
import { loadConfig, BaseConfig } from '@redpacket/config';
import { createApp } from '@redpacket/platform';
import { Client } from 'pg';
import { MonitorConfig } from '../../apps/monitor/src/monitor.config';
import { MonitorModule } from '../../apps/monitor/src/monitor.module';
import { OrderServiceConfig } from '../../apps/order-service/src/order-service.config';
import { OrderServiceModule } from '../../apps/order-service/src/order-service.module';
import { ReconcilerConfig } from '../../apps/reconciler/src/reconciler.config';
import { ReconcilerModule } from '../../apps/reconciler/src/reconciler.module';
import { RewardServiceConfig } from '../../apps/reward-service/src/reward-service.config';
import { RewardServiceModule } from '../../apps/reward-service/src/reward-service.module';
import { consumeMessages, testKafka, testProducer } from '../../testkit/support/kafka.helpers';
import { testNamespace } from '../../testkit/support/namespace';

const namespace = testNamespace(__filename);

describe('the plumbing on real Kafka and Postgres', () => {
  it('has applied every migration to the test database', async () => {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id');
      expect(rows.map((row) => row.name)).toEqual(allMigrations.map((migration) => migration.name));
    } finally {
      await client.end();
    }
  });

  it('round-trips a message: idempotent producer (acks=all) to a bootstrapped topic, group consumer with manual commit', async () => {
    const config = loadConfig(BaseConfig, { ...process.env, KAFKA_NAMESPACE: namespace });
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    const created = await ensureTopics(admin, systemTopics(config));
    const topic = namespaced(namespace, TOPICS.orderPurchased);
    expect(created).toContain(topic);
    expect(await ensureTopics(admin, systemTopics(config))).toEqual([]);

    const producer = testProducer();
    await producer.connect();
    const [written] = await producer.send(topic, [{ key: 'user-1', value: 'hello', headers: { 'event-id': 'e-1' } }]);
    expect(written).toEqual({ topic, partition: expect.any(Number), baseOffset: '0' });

    const groupId = namespaced(namespace, 'smoke');
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    const [received] = await consumeMessages(consumer, topic, 1, {
      onMessage: async ({ topic: t, partition, message }) =>
        consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]),
    });
    expect(received.key?.toString()).toBe('user-1');
    expect(received.value?.toString()).toBe('hello');
    expect(received.headers?.['event-id']?.toString()).toBe('e-1');

    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const partition = committed.partitions.find((p) => p.partition === received.partition);
    expect(partition?.offset).toBe((BigInt(received.offset) + 1n).toString());

    await Promise.all([consumer.disconnect(), producer.disconnect()]);
    await admin.disconnect();
  });

  const apps: { name: string; boot: () => Promise<{ app: NestFastifyApplication }> }[] = [
    {
      name: 'order-service',
      boot: () => createApp({ name: 'order-service', config: OrderServiceConfig, module: OrderServiceModule.register }),
    },
    {
      name: 'reward-service',
      boot: () =>
        createApp({ name: 'reward-service', config: RewardServiceConfig, module: RewardServiceModule.register }),
    },
    {
      name: 'reconciler',
      boot: () => createApp({ name: 'reconciler', config: ReconcilerConfig, module: ReconcilerModule.register }),
    },
    {
      name: 'monitor',
      boot: () => createApp({ name: 'monitor', config: MonitorConfig, module: MonitorModule.register }),
    },
  ];

  it.each(apps)('boots $name against the real services and reports ready', async ({ boot }) => {
    process.env.KAFKA_NAMESPACE = namespace;
    process.env.LOG_LEVEL = 'warn';
    process.env.ADMIN_TOKEN = TEST_ADMIN_TOKEN;
    let app: NestFastifyApplication | undefined;
    try {
      ({ app } = await boot());
      await app.init();
      const inject = app.getHttpAdapter().getInstance().inject.bind(app.getHttpAdapter().getInstance());
      // Kafka is reached in the background: ready once it is (the reward consumer once it joined its
      // group), and nothing degraded once the relays run.
      const anonymous = await pollUntil(
        'readiness with nothing degraded',
        async () => {
          const answer = await inject({ method: 'GET', url: '/health/ready' });
          const whole = answer.statusCode === 200 && answer.json<{ degraded?: string[] }>().degraded?.length === 0;
          return whole ? answer : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect({ status: anonymous.statusCode, body: anonymous.json<unknown>() }).toEqual({
        status: 200,
        body: { status: 'ok', degraded: [] },
      });
      const response = await inject({
        method: 'GET',
        url: '/health/ready',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'ok',
        details: { database: { status: 'up' } },
        kafka: { status: 'up', reachable: true },
      });
    } finally {
      delete process.env.ADMIN_TOKEN;
      await app?.close();
    }
  });

  it('refuses to boot with bad configuration, naming every bad variable', () => {
    expect(() => loadConfig(OrderServiceConfig, { KAFKA_BROKERS: 'nope', DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL[\s\S]*KAFKA_BROKERS/,
    );
  });
});

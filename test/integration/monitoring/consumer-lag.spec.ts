import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import { type EventProducer, KafkaAdmin } from '@redpacket/kafka';
import { describeConsumerLag, formatLagTable } from '@redpacket/monitoring';
import type { Admin } from 'kafkajs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaToolsCommandConfig } from '../../../testkit/infra/kafka-users';
import { DEFAULT_KAFKA_VERSION, ensureKafkaJars } from '../../../testkit/infra/local-kafka';
import { pollUntil, runCommand } from '../../../testkit/infra/process-utils';
import { REPO_ROOT } from '../../../testkit/infra/provision';
import { spawnTypeScript } from '../../../testkit/support/app-process';
import { waitForGroupCaughtUp } from '../../../testkit/support/consumer-group';
import { asMessage, orderPurchased } from '../../../testkit/support/events';
import { testCredentials, testKafka, testProducer } from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';
import { type RewardServiceUnderTest, startRewardService } from '../../../testkit/support/reward-service.harness';

const totalLag = (rows: { lag: string }[]) =>
  rows.reduce((sum, row) => sum + (row.lag === '-' ? 0 : Number(row.lag)), 0);

describe('consumer lag', () => {
  const namespace = testNamespace(__filename);
  const topic = namespaced(namespace, TOPICS.orderPurchased);
  const group = namespaced(namespace, CONSUMER_GROUPS.rewardService);
  const kafka = testKafka();
  /** The app's admin port, which the lag report reads through. */
  const lagAdmin = new KafkaAdmin(kafka);
  const env = { KAFKA_NAMESPACE: namespace, OUTBOX_RELAY_ENABLED: 'false', REWARD_SESSION_TIMEOUT_MS: '6000' };
  let producer: EventProducer;
  let admin: Admin;
  let service: RewardServiceUnderTest | undefined;

  beforeAll(async () => {
    producer = testProducer();
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
  });
  afterAll(async () => {
    await service?.close();
    await Promise.all([producer.disconnect(), admin.disconnect(), lagAdmin.onApplicationShutdown()]);
  });

  it('rises while the consumer is stopped and returns to 0 after it resumes', async () => {
    // One user, one partition: its committed offset exists before the consumer stops. (Partitions
    // the group never committed to show '-' for the lag, as kafka-consumer-groups prints them.)
    const userId = `lagging-${namespace}`;
    service = await startRewardService(env);
    await producer.send(topic, [asMessage(orderPurchased({ userId })), asMessage(orderPurchased({ userId }))]);
    await waitForGroupCaughtUp(admin, group, topic);
    const caughtUp = await describeConsumerLag(lagAdmin, group);
    expect(totalLag(caughtUp)).toBe(0);
    expect(caughtUp.some((row) => row.consumerId !== '-')).toBe(true);

    await service.close();
    service = undefined;
    await producer.send(
      topic,
      Array.from({ length: 5 }, () => asMessage(orderPurchased({ userId }))),
    );
    const stopped = await describeConsumerLag(lagAdmin, group);
    expect(totalLag(stopped)).toBe(5);
    expect(stopped.every((row) => row.consumerId === '-')).toBe(true);

    service = await startRewardService(env);
    await pollUntil(
      'the lag to return to 0',
      async () => (totalLag(await describeConsumerLag(lagAdmin, group)) === 0 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  it('prints the same table from `npm run lag`', async () => {
    const cli = spawnTypeScript(['scripts/lag.ts', '--group', group], {});
    const exit = await cli.exited;
    expect(exit.code).toBe(0);
    const expected = formatLagTable(await describeConsumerLag(lagAdmin, group)).split('\n');
    const printed = cli.output().trim().split('\n');
    expect(printed[0]).toBe(expected[0]);
    expect(printed.map((line) => line.split(/\s+/).slice(0, 6).join(' '))).toEqual(
      expected.map((line) => line.split(/\s+/).slice(0, 6).join(' ')),
    );
  });

  it("matches Kafka's own kafka-consumer-groups --describe, run as an operator would against the SASL broker over TLS", async () => {
    const libs = await ensureKafkaJars(DEFAULT_KAFKA_VERSION, join(REPO_ROOT, '.infra', 'cache'), () => undefined);
    const dir = mkdtempSync(join(tmpdir(), 'kafka-tools-'));
    const commandConfig = join(dir, 'admin.properties');
    const credentials = testCredentials();
    const caFile = process.env.KAFKA_SSL_CA_FILE;
    const tlsOnly = caFile ? `security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=${caFile}\n` : '';
    writeFileSync(commandConfig, credentials ? kafkaToolsCommandConfig(credentials, caFile) : tlsOnly);
    try {
      const tool = await runCommand('java', [
        '-cp',
        `${libs}/*`,
        'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
        '--bootstrap-server',
        (process.env.KAFKA_BROKERS ?? '').split(',')[0],
        '--command-config',
        commandConfig,
        '--describe',
        '--group',
        group,
      ]);
      expect({ code: tool.code, output: tool.code === 0 ? '' : tool.output }).toEqual({ code: 0, output: '' });
      // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG: the columns both print alike.
      const columns = (table: string) =>
        table
          .split('\n')
          .map((line) => line.trim().split(/\s+/))
          .filter((cells) => cells[0] === group)
          .map((cells) => cells.slice(0, 6).join(' '))
          .sort();
      const ours = columns(formatLagTable(await describeConsumerLag(lagAdmin, group)));
      expect(ours.length).toBeGreaterThan(0);
      expect(columns(tool.output)).toEqual(ours);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { Logger } from '@nestjs/common';
import { BaseConfig, loadConfig } from '@redpacket/config';
import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import {
  type AppPrincipal,
  createKafkaClient,
  ensureTopics,
  type KafkaClientOptions,
  type KafkaCredentials,
  kafkaErrorType,
  platformaticConnection,
  systemTopics,
} from '@redpacket/kafka';
import { Admin as PlatformaticAdmin } from '@platformatic/kafka';
import { type Admin, ConfigResourceTypes, type Kafka } from 'kafkajs';
import { developmentCredentials } from '../../../testkit/infra/kafka-users';
import {
  brokerAuthenticates,
  consumeMessages,
  grantNamespaceAccess,
  produceAnswer,
  testCredentials,
  testKafka,
  testTls,
} from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';

jest.setTimeout(120_000);

const NAMESPACE = testNamespace(__filename);
const topics = {
  orders: namespaced(NAMESPACE, TOPICS.orderPurchased),
  deadLetters: namespaced(NAMESPACE, TOPICS.orderPurchasedDeadLetter),
  granted: namespaced(NAMESPACE, TOPICS.redPacketGranted),
};
const rewardGroup = namespaced(NAMESPACE, CONSUMER_GROUPS.rewardService);

function clientOptions(
  credentials: KafkaCredentials | undefined,
  label: string,
  /** null: plaintext. */
  tls: KafkaClientOptions['tls'] | null = testTls(),
): KafkaClientOptions {
  return {
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    clientId: `access-${label}`,
    logger: new Logger('KafkaAccess'),
    logLevel: 'error',
    retry: { retries: 1, initialRetryTime: 100 },
    sasl: credentials,
    tls: tls ?? undefined,
  };
}

function clientAs(
  credentials: KafkaCredentials | undefined,
  label: string,
  tls: KafkaClientOptions['tls'] | null = testTls(),
): Kafka {
  return createKafkaClient(clientOptions(credentials, label, tls));
}

const as = (principal: AppPrincipal) => clientAs(developmentCredentials(principal), principal);

/** Joins `group` and reads from `topic`: 'read', or the error type the broker refused with. */
async function read(kafka: Kafka, topic: string, group: string): Promise<string> {
  const consumer = kafka.consumer({ groupId: group, retry: { retries: 1 } });
  // A refused join crashes the consumer's loop: kafkajs reports it as an event, not through run().
  const crashed = new Promise<never>((_, reject) =>
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error)),
  );
  try {
    await consumer.connect();
    await Promise.race([consumeMessages(consumer, topic, 1, { timeoutMs: 30_000 }), crashed]);
    return 'read';
  } catch (error) {
    return kafkaErrorType(error) || (error as Error).name;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

describe('who may write and read the system’s topics (SASL/SCRAM and ACLs on the broker)', () => {
  let admin: Admin;

  beforeAll(async () => {
    if (!brokerAuthenticates()) throw new Error('the run’s broker does not authenticate clients: nothing to prove');
    admin = testKafka('access-admin').admin();
    await admin.connect();
    const config = loadConfig(BaseConfig, { ...process.env, KAFKA_NAMESPACE: NAMESPACE });
    await ensureTopics(admin, systemTopics(config));
    await grantNamespaceAccess(admin, NAMESPACE);
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('lets only the order service say an order was purchased', async () => {
    const answers = {
      anonymous: await produceAnswer(clientAs(undefined, 'anonymous'), topics.orders),
      wrongPassword: await produceAnswer(
        clientAs({ username: 'order-service', password: 'not-the-password' }, 'guess'),
        topics.orders,
      ),
      rewardService: await produceAnswer(as('reward-service'), topics.orders),
      monitor: await produceAnswer(as('monitor'), topics.orders),
      reconciler: await produceAnswer(as('reconciler'), topics.orders),
      orderService: await produceAnswer(as('order-service'), topics.orders),
    };
    expect(answers).toEqual({
      // The listener speaks SASL only: a client that does not authenticate is disconnected.
      anonymous: 'KafkaJSConnectionClosedError',
      wrongPassword: 'KafkaJSSASLAuthenticationError',
      rewardService: 'TOPIC_AUTHORIZATION_FAILED',
      // No WRITE on any topic: the broker refuses even the idempotent producer's id.
      monitor: 'CLUSTER_AUTHORIZATION_FAILED',
      reconciler: 'CLUSTER_AUTHORIZATION_FAILED',
      orderService: 'written',
    });
    // Exactly the one accepted write is on the topic.
    const offsets = await admin.fetchTopicOffsets(topics.orders);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(1);
  });

  it('speaks TLS only: a plaintext client is disconnected, and a client that cannot verify the broker does not connect', async () => {
    if (!process.env.KAFKA_SSL_CA_FILE) throw new Error('the run’s broker does not speak TLS: nothing to prove');
    const superUser = testCredentials();
    const plaintext = await produceAnswer(clientAs(superUser, 'plaintext', null), topics.orders);
    // The broker closes the connection on the first bytes that are not a TLS handshake.
    expect(plaintext).toMatch(/^KafkaJS(ConnectionClosedError|NumberOfRetriesExceeded)$/);
    // The system's CAs do not include the development CA the broker's certificate was signed by.
    const unverified = clientAs(superUser, 'unverified', {}).admin();
    await expect(unverified.connect()).rejects.toThrow(/certificate/);
    await unverified.disconnect().catch(() => undefined);
    // @platformatic/kafka verifies the broker too: the same admin connects with the development CA only.
    const platformaticMetadata = async (tls: KafkaClientOptions['tls']) => {
      const client = new PlatformaticAdmin({
        ...platformaticConnection(clientOptions(superUser, 'platformatic', tls)),
        retries: 0,
      });
      try {
        return await client.metadata({ topics: [topics.orders] });
      } finally {
        await client.close();
      }
    };
    await expect(platformaticMetadata({})).rejects.toThrow(/Cannot connect to any broker/);
    await expect(platformaticMetadata(testTls() ?? undefined)).resolves.toMatchObject({ topics: expect.any(Map) });
    const offsets = await admin.fetchTopicOffsets(topics.orders);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(1);
  });

  it('lets the reward service read orders in its group and write its own topics, and no one else’s', async () => {
    expect(await read(as('reward-service'), topics.orders, rewardGroup)).toBe('read');
    expect(await produceAnswer(as('reward-service'), topics.deadLetters)).toBe('written');
    expect(await produceAnswer(as('reward-service'), topics.granted)).toBe('written');
    // Another group would read the orders past the reward service's commits: refused. The broker answers
    // GROUP_AUTHORIZATION_FAILED to FindCoordinator; kafkajs reports that as a coordinator it cannot find.
    expect(await read(as('reward-service'), topics.orders, `${NAMESPACE}.thief`)).toBe(
      'KafkaJSGroupCoordinatorNotFound',
    );
    expect(await produceAnswer(as('order-service'), topics.granted)).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('lets the monitor read orders in its own group only, and describe the reward service’s', async () => {
    const monitor = as('monitor');
    expect(await read(monitor, topics.orders, namespaced(NAMESPACE, CONSUMER_GROUPS.monitor))).toBe('read');
    // Joining the reward service's group would let it commit past orders never granted.
    expect(await read(monitor, topics.orders, rewardGroup)).toBe('GROUP_AUTHORIZATION_FAILED');
    const monitorAdmin = monitor.admin();
    await monitorAdmin.connect();
    try {
      // What its lag table needs: the group's committed offsets and the topic's end offsets.
      const committed = await monitorAdmin.fetchOffsets({ groupId: rewardGroup, topics: [topics.orders] });
      expect(committed[0].partitions).toHaveLength(6);
      expect(await monitorAdmin.fetchTopicOffsets(topics.orders)).toHaveLength(6);
    } finally {
      await monitorAdmin.disconnect();
    }
  });

  it('lets the reconciler read the orders topic’s retention, which bounds its dedup window', async () => {
    const reconcilerAdmin = as('reconciler').admin();
    await reconcilerAdmin.connect();
    try {
      const described = await reconcilerAdmin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.orders, configNames: ['retention.ms'] }],
      });
      expect(described.resources[0].configEntries.map((e) => e.configName)).toEqual(['retention.ms']);
    } finally {
      await reconcilerAdmin.disconnect();
    }
  });

  it.each<AppPrincipal>(['order-service', 'reward-service', 'monitor', 'reconciler'])(
    'lets no app grant itself more (%s)',
    async (principal) => {
      const appAdmin = as(principal).admin();
      await appAdmin.connect();
      try {
        const granting = grantNamespaceAccess(appAdmin, `${NAMESPACE}-mine`);
        await expect(granting).rejects.toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' });
      } finally {
        await appAdmin.disconnect();
      }
    },
  );
});

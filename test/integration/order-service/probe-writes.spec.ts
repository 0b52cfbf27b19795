import { namespaced, TOPICS } from '@redpacket/contracts';
import { PROBE_WRITER_HEADER, readProbe } from '@redpacket/monitoring';
import type { Admin } from 'kafkajs';
import { appKafkaEnv, grantNamespaceAccess, testKafka } from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';
import { TEST_ADMIN_TOKEN } from '../../../testkit/support/reconciler.harness';
import { TopicReader } from '../../../testkit/support/topic-reader';

const NAMESPACE = testNamespace(__filename);
const TOPIC = namespaced(NAMESPACE, TOPICS.orderPurchased);

/**
 * The monitor's probes go into order.purchased, which only the order service's principal may write: the
 * order service writes them when the monitor asks, and the monitor itself writes nothing to Kafka.
 */
describe('POST /admin/probes: the order service writes the monitor’s probes', () => {
  let admin: Admin;
  let service: OrderServiceUnderTest;
  let reader: TopicReader;

  beforeAll(async () => {
    admin = testKafka('probe-writes-admin').admin();
    await admin.connect();
    await grantNamespaceAccess(admin, NAMESPACE);
    // As its own principal: the broker checks this write against the order service's ACLs.
    service = await startOrderService({
      KAFKA_NAMESPACE: NAMESPACE,
      OUTBOX_RELAY_ENABLED: 'false',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...appKafkaEnv('order-service'),
    });
    reader = await TopicReader.start(testKafka('probe-writes-reader'), TOPIC, `${NAMESPACE}.reader`);
  });
  afterAll(async () => {
    await reader?.stop();
    await service?.close();
    await admin?.disconnect();
  });

  const write = (body: unknown, authorization?: string) =>
    service.request({
      method: 'POST',
      url: '/admin/probes',
      payload: body,
      headers: authorization ? { authorization } : {},
    });

  it('refuses a caller without the admin token, and a writer id it would not put in a header', async () => {
    expect((await write({ writerId: 'monitor-1' })).statusCode).toBe(401);
    expect((await write({ writerId: 'monitor-1' }, 'Bearer not-the-admin-token')).statusCode).toBe(403);
    const bad = await write({ writerId: 'two words\n' }, `Bearer ${TEST_ADMIN_TOKEN}`);
    expect({ status: bad.statusCode, body: bad.body }).toMatchObject({
      status: 400,
      body: expect.stringContaining('writerId'),
    });
  });

  it('writes one probe into every partition and says where each landed', async () => {
    const response = await write({ writerId: 'monitor-probe-test' }, `Bearer ${TEST_ADMIN_TOKEN}`);
    expect(response.statusCode).toBe(201);
    const { probes } = JSON.parse(response.body) as {
      probes: { partition: number; offset: string; sentAtMs: number }[];
    };
    expect(probes.map((p) => p.partition).sort()).toEqual([0, 1, 2, 3, 4, 5]);

    const ours = (messages: TopicReader['messages']) =>
      messages.filter((m) => m.headers?.[PROBE_WRITER_HEADER]?.toString() === 'monitor-probe-test');
    await reader.waitFor('the six probes', (messages) => ours(messages).length === 6);
    const landed = ours(reader.messages).map((m) => ({
      partition: m.partition,
      offset: m.offset,
      sentAtMs: readProbe(m.headers)?.sentAtMs,
    }));
    expect(landed.sort((a, b) => a.partition - b.partition)).toEqual(
      [...probes].sort((a, b) => a.partition - b.partition),
    );
  });
});

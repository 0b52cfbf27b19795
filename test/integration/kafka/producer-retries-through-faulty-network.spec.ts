import { randomUUID } from 'node:crypto';
import { EVENT_HEADERS } from '@redpacket/contracts';
import { ensureTopics, KafkajsEventProducer, saslOptions } from '@redpacket/kafka';
import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { testCredentials, testKafka, tlsOf } from '../../../testkit/support/kafka.helpers';
import { PrivateKafka } from '../../../testkit/support/private-kafka';
import { testNamespace } from '../../../testkit/support/namespace';
import { KAFKA_API, type NetworkFault, TcpProxy, throughProxies } from '../../../testkit/support/tcp-proxy';
import { TopicReader } from '../../../testkit/support/topic-reader';

jest.setTimeout(60_000);

const MESSAGES = 20;

/**
 * On a broker of the test's own that speaks SASL over plaintext: the proxy reads the protocol to lose
 * the answers of produce requests, which TLS would hide from it.
 */
describe('producers writing through a faulty network (a fault-injecting TCP proxy)', () => {
  const namespace = testNamespace(__filename);
  let kafka: PrivateKafka;
  let brokers: string[];
  let direct: Kafka;
  let admin: Admin;
  let proxies: TcpProxy[];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    kafka = await PrivateKafka.startPlaintext();
    brokers = kafka.brokers;
    direct = testKafka(`${namespace}-direct`, brokers, tlsOf(kafka));
    admin = direct.admin();
    await admin.connect();
    proxies = await Promise.all(brokers.map((broker) => TcpProxy.start(broker)));
  }, 120_000);
  afterEach(async () => {
    setFault({ kind: 'pass-through' });
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await admin.disconnect();
    await kafka.destroy();
  });

  /** A client whose every connection, the partition leader's included, goes through the proxies. */
  function kafkaThroughProxies(name: string, options: Partial<KafkaConfig> = {}): Kafka {
    return new Kafka({
      clientId: `${namespace}-${name}`,
      brokers,
      socketFactory: throughProxies(proxies),
      // Each lost response logs a connection error; the test judges by what lands on the topic.
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 50, maxRetryTime: 500 },
      sasl: saslOptions(testCredentials()),
      ...options,
    });
  }

  const setFault = (fault: NetworkFault) => proxies.forEach((proxy) => proxy.setFault(fault));

  async function freshTopic(name: string): Promise<string> {
    const topic = `${namespace}.${name}`;
    // One partition: one leader, so the proxy in front of it sees every produce request in order.
    await ensureTopics(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    return topic;
  }

  /** Sends MESSAGES messages, one request each, while the first attempt of each loses its response. */
  async function sendLosingEveryFirstResponse(send: (id: string) => Promise<unknown>): Promise<string[]> {
    const ids = Array.from({ length: MESSAGES }, () => randomUUID());
    const lostResponses = () => proxies.reduce((sum, proxy) => sum + proxy.stats.lostResponses, 0);
    const lostBefore = lostResponses();
    setFault({ kind: 'lose-response', apiKey: KAFKA_API.produce, every: 2 });
    for (const id of ids) await send(id);
    setFault({ kind: 'pass-through' });
    expect(lostResponses() - lostBefore).toBe(MESSAGES);
    return ids;
  }

  /** Reads the whole topic back (up to its end offset) and counts each message id. */
  async function copiesOnTopic(topic: string): Promise<Map<string, number>> {
    const [end] = await admin.fetchTopicOffsets(topic);
    const written = Number(end.high) - Number(end.low);
    const reader = await TopicReader.start(direct, topic, `${topic}.reader`);
    cleanups.push(() => reader.stop());
    await reader.waitFor(`${written} message(s) on ${topic}`, (messages) => messages.length >= written, 15_000);
    const copies = new Map<string, number>();
    for (const id of reader.eventIds()) copies.set(id, (copies.get(id) ?? 0) + 1);
    return copies;
  }

  const message = (id: string) => ({ key: id, value: id, headers: { [EVENT_HEADERS.eventId]: id } });

  it('leaves every message exactly once with the idempotent producer (acks=all, one request in flight)', async () => {
    const topic = await freshTopic('idempotent');
    const producer = new KafkajsEventProducer(kafkaThroughProxies('idempotent'));
    await producer.connect();
    cleanups.push(() => producer.disconnect());

    // The retry carries the same producer id and sequence number: the broker answers with the
    // offset it already wrote instead of writing the batch again.
    const ids = await sendLosingEveryFirstResponse((id) => producer.send(topic, [message(id)]));

    const copies = await copiesOnTopic(topic);
    expect(ids.filter((id) => copies.get(id) !== 1)).toEqual([]);
    expect([...copies.keys()].sort()).toEqual([...ids].sort());
  });

  it('leaves duplicates with a producer that retries without idempotence', async () => {
    const topic = await freshTopic('plain');
    const producer = kafkaThroughProxies('plain').producer({ idempotent: false, maxInFlightRequests: 1 });
    await producer.connect();
    cleanups.push(() => producer.disconnect());

    const ids = await sendLosingEveryFirstResponse((id) => producer.send({ topic, acks: -1, messages: [message(id)] }));

    const copies = await copiesOnTopic(topic);
    expect(ids.filter((id) => !copies.has(id))).toEqual([]);
    // Each first write succeeded on the broker; its retry wrote the message a second time.
    expect(ids.filter((id) => (copies.get(id) ?? 0) > 1).length).toBeGreaterThan(0);
  });

  it('fails sends while connections are reset or blackholed, and writes each message once when the network heals', async () => {
    const topic = await freshTopic('outage');
    // Short request timeout and few retries: a blackholed request fails in seconds, not minutes. The
    // timeout still leaves room for a delayed round trip (2 × 300 ms) on a busy machine: a fresh
    // connection's SCRAM exchange runs under the delay, and an authentication timeout is not retried.
    const kafka = kafkaThroughProxies('outage', { requestTimeout: 3_000, retry: { retries: 1, initialRetryTime: 50 } });
    const producer = new KafkajsEventProducer(kafka, 1);
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const [reset, blackholed, delayed] = [randomUUID(), randomUUID(), randomUUID()];

    setFault({ kind: 'reset' });
    await expect(producer.send(topic, [message(reset)])).rejects.toThrow();
    setFault({ kind: 'drop' });
    await expect(producer.send(topic, [message(blackholed)])).rejects.toThrow();
    setFault({ kind: 'delay', ms: 300 });
    const started = Date.now();
    await producer.send(topic, [message(delayed)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    setFault({ kind: 'pass-through' });
    // What an outbox does with a failed send: send the same messages again.
    await producer.send(topic, [message(reset)]);
    await producer.send(topic, [message(blackholed)]);

    const copies = await copiesOnTopic(topic);
    expect(Object.fromEntries(copies)).toEqual({ [reset]: 1, [blackholed]: 1, [delayed]: 1 });
  });
});

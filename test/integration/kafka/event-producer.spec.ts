import { randomUUID } from 'node:crypto';
import { KAFKA_CLIENTS, type KafkaClientName } from '@redpacket/config';
import { EVENT_HEADERS } from '@redpacket/contracts';
import { ensureTopics, type EventProducer, type OutgoingMessage } from '@redpacket/kafka';
import type { Admin } from 'kafkajs';
import { testKafka, testProducer, tlsOf } from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';
import { PrivateKafka } from '../../../testkit/support/private-kafka';
import { KAFKA_API } from '../../../testkit/support/tcp-proxy';
import { type ReadMessage, TopicReader } from '../../../testkit/support/topic-reader';

jest.setTimeout(120_000);

const PARTITIONS = 6;
const namespace = testNamespace(__filename);
const message = (id: string, key: string | null = `user-${id.slice(0, 4)}`): OutgoingMessage => ({
  key,
  value: JSON.stringify({ id }),
  headers: { [EVENT_HEADERS.eventId]: id, 'repeated-header': ['first', 'second'] },
});

/** The port's promises, checked on the shared broker for each client library behind it. */
describe.each(KAFKA_CLIENTS.map((client) => [client] as const))('the idempotent producer port on %s', (client) => {
  const kafka = testKafka(`${namespace}-${client}`);
  let admin: Admin;
  let producer: EventProducer;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = testProducer({ client });
    await producer.connect();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  async function freshTopic(name: string): Promise<string> {
    const topic = `${namespace}.${client}.${name}`;
    await ensureTopics(admin, [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    return topic;
  }

  async function readBack(topic: string, count: number): Promise<ReadMessage[]> {
    const reader = await TopicReader.start(kafka, topic, `${topic}.reader`);
    cleanups.push(() => reader.stop());
    await reader.waitFor(`${count} message(s) on ${topic}`, (messages) => messages.length >= count);
    return reader.messages;
  }

  it('writes every message once, answers one acknowledgement per partition it wrote to, and keeps keys and headers', async () => {
    const topic = await freshTopic('batch');
    const sent = Array.from({ length: 60 }, () => message(randomUUID()));
    const acks = await producer.send(topic, sent);

    const read = await readBack(topic, sent.length);
    const partitionsWritten = [...new Set(read.map((m) => m.partition))].sort();
    expect(acks.map((ack) => ack.partition).sort()).toEqual(partitionsWritten);
    expect(acks.every((ack) => ack.topic === topic && ack.baseOffset === '0')).toBe(true);
    expect(read.map((m) => m.headers?.[EVENT_HEADERS.eventId]?.toString()).sort()).toEqual(
      sent.map((m) => m.headers?.[EVENT_HEADERS.eventId]).sort(),
    );
    for (const m of read) expect(m.key?.toString()).toMatch(/^user-/);
  });

  it('routes a key to the partition the Java client and kafkajs choose (murmur2), so switching clients keeps per-key order', async () => {
    const topic = await freshTopic('routing');
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    await producer.send(
      topic,
      keys.map((key) => message(randomUUID(), key)),
    );
    // The reference: the same keys sent through the other library.
    const other: KafkaClientName = client === 'kafkajs' ? 'platformatic' : 'kafkajs';
    const reference = testProducer({ client: other });
    await reference.connect();
    cleanups.push(() => reference.disconnect());
    await reference.send(
      topic,
      keys.map((key) => message(randomUUID(), key)),
    );

    const read = await readBack(topic, keys.length * 2);
    const partitionsOf = new Map<string, Set<number>>();
    for (const m of read) {
      const key = m.key?.toString() ?? '';
      partitionsOf.set(key, (partitionsOf.get(key) ?? new Set()).add(m.partition));
    }
    expect([...partitionsOf.keys()].sort()).toEqual([...keys].sort());
    expect([...partitionsOf].filter(([, partitions]) => partitions.size !== 1)).toEqual([]);
    // Known values of Kafka's murmur2 partitioner for 6 partitions (what the Java client computes).
    expect([...(partitionsOf.get('user-0') ?? [])]).toEqual([expectedJavaPartition('user-0')]);
  });

  it('writes to an explicit partition, with no key and no value (a probe)', async () => {
    const topic = await freshTopic('explicit');
    const acks = await producer.send(topic, [
      { partition: 4, key: null, value: null, headers: { [EVENT_HEADERS.eventId]: 'probe' } },
    ]);
    expect(acks).toEqual([{ topic, partition: 4, baseOffset: '0' }]);
    const [read] = await readBack(topic, 1);
    expect({ partition: read.partition, key: read.key, value: read.value }).toEqual({
      partition: 4,
      key: null,
      value: null,
    });
  });

  it('fails a send to a topic that does not exist rather than creating it', async () => {
    const topic = `${namespace}.${client}.missing-${randomUUID().slice(0, 8)}`;
    await expect(producer.send(topic, [message(randomUUID())])).rejects.toThrow();
    const topics = await admin.listTopics();
    expect(topics).not.toContain(topic);
  });
});

/** What Kafka's Java DefaultPartitioner computes for a key: toPositive(murmur2(key)) % PARTITIONS. */
function expectedJavaPartition(key: string): number {
  const data = Buffer.from(key);
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  let h = seed ^ length;
  const length4 = Math.floor(length / 4);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return (h & 0x7fffffff) % PARTITIONS;
}

/**
 * Each client on a broker that advertises a fault-injecting proxy, so every connection, the leader's
 * included, goes through it: what the library does when the network misbehaves, not what we hope.
 */
describe.each(KAFKA_CLIENTS.map((client) => [client] as const))(
  'the producer port on %s through a faulty network',
  (client) => {
    let broker: PrivateKafka & { readonly proxy: import('../../../testkit/support/tcp-proxy').TcpProxy };
    let admin: Admin;
    let producer: EventProducer;

    beforeAll(async () => {
      broker = await PrivateKafka.startBehindProxy();
      admin = testKafka(`${namespace}-${client}-faults`, broker.brokers, tlsOf(broker)).admin();
      await admin.connect();
      producer = testProducer({ client, brokers: broker.brokers, retries: 3, tls: tlsOf(broker) });
      await producer.connect();
    });
    afterAll(async () => {
      await producer?.disconnect().catch(() => undefined);
      await admin?.disconnect();
      await broker?.destroy();
    });

    async function copiesOn(topic: string): Promise<Map<string, number>> {
      const [end] = await admin.fetchTopicOffsets(topic);
      const written = Number(end.high) - Number(end.low);
      const reader = await TopicReader.start(
        testKafka(`${topic}-reader`, broker.brokers, tlsOf(broker)),
        topic,
        `${topic}.reader`,
      );
      try {
        await reader.waitFor(`${written} message(s) on ${topic}`, (messages) => messages.length >= written);
        const copies = new Map<string, number>();
        for (const id of reader.eventIds()) copies.set(id, (copies.get(id) ?? 0) + 1);
        return copies;
      } finally {
        await reader.stop();
      }
    }

    it('writes each message exactly once while every other produce response is lost, and again after resets heal', async () => {
      const topic = `${namespace}.${client}.faulty`;
      // One partition: one leader, so the proxy sees every produce request in order.
      await ensureTopics(admin, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
      const ids = Array.from({ length: 20 }, () => randomUUID());
      const lostBefore = broker.proxy.stats.lostResponses;
      broker.proxy.setFault({ kind: 'lose-response', apiKey: KAFKA_API.produce, every: 2 });
      for (const id of ids) await producer.send(topic, [message(id)]);
      broker.proxy.setFault({ kind: 'pass-through' });
      // The retry carried the same producer id and sequence: the broker answered with what it had written.
      expect(broker.proxy.stats.lostResponses - lostBefore).toBeGreaterThanOrEqual(ids.length / 2);

      const reset = randomUUID();
      broker.proxy.setFault({ kind: 'reset' });
      await expect(producer.send(topic, [message(reset)])).rejects.toThrow();
      broker.proxy.setFault({ kind: 'pass-through' });
      // What the outbox does with a failed send: send the same message again.
      await producer.send(topic, [message(reset)]);

      const copies = await copiesOn(topic);
      expect(Object.fromEntries(copies)).toEqual(Object.fromEntries([...ids, reset].map((id) => [id, 1])));
    });
  },
);

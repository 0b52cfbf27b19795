import { KAFKA_CLIENTS } from '@redpacket/config';
import { RedpacketError } from '@redpacket/errors';
import {
  type ConsumedBatch,
  ensureTopics,
  EventProducer,
  type GroupConsumer,
  type GroupConsumerFactory,
  PartitionBatchRunner,
  type PartitionBatchRunnerOptions,
  type PartitionHandler,
  type PartitionWork,
} from '@redpacket/kafka';
import { Metrics } from '@redpacket/observability';
import type { Admin } from 'kafkajs';
import { pollUntil } from '../../../testkit/infra/process-utils';
import { groupLag, waitForGroupCaughtUp, watchGroupMembers } from '../../../testkit/support/consumer-group';
import { testClients, testKafka, testProducer } from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';
import { PrivateKafka } from '../../../testkit/support/private-kafka';

const SESSION_TIMEOUT_MS = 6_000;

class PoisonForTest extends RedpacketError {
  readonly code = 'CONTRACT_VIOLATION';
  readonly retriable = false;
}

/** A handler the test steers: which partitions fail (and how), and a gate that holds one message. */
class ScriptedHandler implements PartitionHandler {
  /** Offsets handled successfully, per partition, in the order they finished. */
  readonly done = new Map<number, number[]>();
  failing = new Map<number, () => Error>();
  hold: { partition: number; offset: number; release: Promise<void> } | undefined;

  async handle(work: PartitionWork): Promise<void> {
    for (const message of work.messages) {
      if (!work.canContinue()) return;
      const { partition } = work.position;
      const fail = this.failing.get(partition);
      if (fail) throw fail();
      if (this.hold?.partition === partition && Number(message.offset) === this.hold.offset) await this.hold.release;
      this.done.set(partition, [...(this.done.get(partition) ?? []), Number(message.offset)]);
      work.finished([message]);
    }
  }

  handled(partition: number): number[] {
    return this.done.get(partition) ?? [];
  }
}

/**
 * The run's client, with its first `count` commits refused as they are when the group's coordinator
 * cannot be reached; `refused` lists the partition of each refused commit.
 */
function refusingFirstCommits(clients: GroupConsumerFactory, count: number, refused: number[]): GroupConsumerFactory {
  const refuse = (batch: ConsumedBatch): ConsumedBatch => ({
    ...batch,
    heartbeat: () => batch.heartbeat(),
    isActive: () => batch.isActive(),
    commit: async (nextOffset) => {
      if (refused.length >= count) return batch.commit(nextOffset);
      refused.push(batch.partition);
      throw new Error('Connection error: connect ECONNREFUSED (the group coordinator)');
    },
  });
  return {
    groupConsumer: (options) => {
      const consumer: GroupConsumer = clients.groupConsumer(options);
      return {
        start: (listener) => consumer.start({ ...listener, eachBatch: (batch) => listener.eachBatch(refuse(batch)) }),
        stop: () => consumer.stop(),
        pause: (partition) => consumer.pause(partition),
        resume: (partition) => consumer.resume(partition),
        pauseAll: () => consumer.pauseAll(),
        paused: () => consumer.paused(),
      };
    },
  };
}

describe.each(KAFKA_CLIENTS)('the partition batch runner on a real broker, client %s', (client) => {
  const kafka = testKafka();
  let admin: Admin;
  let producer: EventProducer;
  const running: PartitionBatchRunner[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    producer = testProducer();
    await Promise.all([admin.connect(), producer.connect()]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((runner) => runner.stop()));
  });
  afterAll(async () => {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  async function scenario(
    handler: PartitionHandler,
    options: Partial<PartitionBatchRunnerOptions> = {},
    clients: GroupConsumerFactory = testClients({ client }),
  ) {
    const namespace = testNamespace(__filename);
    const topic = `${namespace}.work`;
    const groupId = `${namespace}.group`;
    await ensureTopics(admin, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
    const fatal: Error[] = [];
    const metrics = new Metrics();
    const runner = new PartitionBatchRunner(
      clients,
      {
        groupId,
        topic,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        partitionsConsumedConcurrently: 3,
        retry: { initialDelayMs: 50, maxDelayMs: 500, stuckAfterMs: 60_000 },
        onFatal: (error) => fatal.push(error),
        metrics,
        ...options,
      },
      handler,
    );
    running.push(runner);
    const produce = (partition: number, count: number) =>
      producer.send(
        topic,
        Array.from({ length: count }, (_, i) => ({ partition, key: `k${i % 2}`, value: `m${i}` })),
      );
    return { topic, groupId, runner, fatal, metrics, produce };
  }

  it('keeps the other partitions flowing while a failing partition has more messages waiting than any hold', async () => {
    const handler = new ScriptedHandler();
    handler.failing.set(0, () => new Error('database unavailable'));
    const { topic, groupId, runner, produce } = await scenario(handler);
    // More than a consumer holds for all its partitions together (10,000 on @platformatic/kafka).
    for (let sent = 0; sent < 12_000; sent += 3_000) await produce(0, 3_000);
    await runner.start();
    await produce(1, 20);
    await pollUntil(
      'partition 1 consumed while partition 0 keeps failing',
      async () => ((await groupLag(admin, groupId, topic)).get(1) === 0n ? true : undefined),
      { timeoutMs: 60_000 },
    );
    expect(handler.handled(1)).toHaveLength(20);
    expect(handler.handled(0)).toEqual([]);
    handler.failing.delete(0);
    await waitForGroupCaughtUp(admin, groupId, topic, 120_000);
    // Every message once at least (a message finished but not committed when a stream reopens comes again).
    const handled = [...new Set(handler.handled(0))].sort((a, b) => a - b);
    expect(handled).toEqual(Array.from({ length: 12_000 }, (_, offset) => offset));
  });

  it('pauses only a failing partition, keeps its member, reports it stuck, and catches up once it recovers', async () => {
    const handler = new ScriptedHandler();
    handler.failing.set(0, () => new Error('database unavailable'));
    const { topic, groupId, runner, metrics, produce } = await scenario(handler, {
      retry: { initialDelayMs: 50, maxDelayMs: 500, stuckAfterMs: 2_000 },
    });
    await runner.start();
    const members = watchGroupMembers(admin, groupId);
    await Promise.all([produce(0, 5), produce(1, 5), produce(2, 5)]);

    await pollUntil(
      'partitions 1 and 2 consumed while partition 0 fails',
      async () => {
        const lag = await groupLag(admin, groupId, topic);
        return lag.get(1) === 0n && lag.get(2) === 0n && lag.get(0) === 5n ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const stuck = await pollUntil(
      'partition 0 reported stuck',
      async () => {
        const health = runner.health();
        return health.failing.find((f) => f.partition === 0 && f.stuck) ? health : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(stuck).toMatchObject({ ready: false, state: 'joined', assigned: [0, 1, 2] });
    expect(stuck.failing[0]).toMatchObject({ code: 'UNKNOWN', error: 'database unavailable' });
    expect(stuck.failing[0].attempts).toBeGreaterThan(1);
    expect(await metrics.registry.getSingleMetricAsString('redpacket_consumer_partition_stuck_seconds')).toMatch(
      /partition="0"\} \d/,
    );

    handler.failing.delete(0);
    await waitForGroupCaughtUp(admin, groupId, topic);
    expect(handler.handled(0)).toEqual([0, 1, 2, 3, 4]);
    expect(runner.health()).toMatchObject({ ready: true, failing: [] });
    const seen = await members.stop();
    expect(seen.memberIds).toHaveLength(1);
    expect(seen.states).toEqual(['Stable']);
    expect(await metrics.registry.getSingleMetricAsString('redpacket_consumer_retries_total')).toMatch(
      /code="UNKNOWN"\} [1-9]/,
    );
  });

  it('keeps its member in the group through one attempt that lasts longer than the session timeout', async () => {
    const handler = new ScriptedHandler();
    let release!: () => void;
    handler.hold = { partition: 1, offset: 0, release: new Promise<void>((resolve) => (release = resolve)) };
    const { topic, groupId, runner, produce } = await scenario(handler);
    await runner.start();
    const members = watchGroupMembers(admin, groupId);
    await produce(1, 3);
    const heldSince = Date.now();
    await pollUntil(
      'the held attempt to outlast two session timeouts while the member stays',
      async () => (Date.now() - heldSince > 2 * SESSION_TIMEOUT_MS ? true : undefined),
      { timeoutMs: 4 * SESSION_TIMEOUT_MS },
    );
    release();
    await waitForGroupCaughtUp(admin, groupId, topic);
    const seen = await members.stop();
    expect(seen).toMatchObject({ memberIds: [expect.any(String)], states: ['Stable'] });
    expect(handler.handled(1)).toEqual([0, 1, 2]);
  });

  it('on stop, finishes the message in hand, starts no other and commits exactly what finished', async () => {
    const handler = new ScriptedHandler();
    let release!: () => void;
    handler.hold = { partition: 2, offset: 3, release: new Promise<void>((resolve) => (release = resolve)) };
    const { topic, groupId, runner, produce } = await scenario(handler);
    await runner.start();
    await produce(2, 10);
    await pollUntil('three messages finished', async () => (handler.handled(2).length === 3 ? true : undefined), {
      timeoutMs: 30_000,
    });

    const stopped = runner.stop();
    release();
    await stopped;

    expect(handler.handled(2)).toEqual([0, 1, 2, 3]);
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets.partitions.find((p) => p.partition === 2)?.offset).toBe('4');
  });

  it('tries a failed commit again until it succeeds, with no later message to carry it', async () => {
    const handler = new ScriptedHandler();
    const refused: number[] = [];
    const clients = refusingFirstCommits(testClients({ client }), 2, refused);
    const { topic, groupId, runner, produce } = await scenario(handler, {}, clients);
    await runner.start();
    await produce(1, 5);

    // Nothing is sent after the refused commits: only the runner trying them again can bring the lag to 0.
    await waitForGroupCaughtUp(admin, groupId, topic, 30_000);
    expect(refused).toEqual([1, 1]);
    expect(new Set(handler.handled(1))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(runner.health()).toMatchObject({ ready: true, commitsDue: [] });
  });

  it('treats a failure nothing can retry as fatal: reported once, not ready, nothing committed past it', async () => {
    const handler = new ScriptedHandler();
    const { topic, groupId, runner, fatal, produce } = await scenario(handler);
    handler.failing.set(0, () => new PoisonForTest('the dead-letter topic refuses writes'));
    await runner.start();
    await produce(0, 3);
    await pollUntil('the fatal report', async () => (fatal.length > 0 ? true : undefined), { timeoutMs: 30_000 });

    expect(fatal.map((e) => e.message)).toEqual(['the dead-letter topic refuses writes']);
    expect(runner.health()).toMatchObject({
      ready: false,
      state: 'failed',
      error: 'the dead-letter topic refuses writes',
    });
    expect((await groupLag(admin, groupId, topic)).get(0)).toBe(3n);
  });

  it('treats a consumer crash the client will not restart from as fatal', async () => {
    // Below the broker's group.min.session.timeout.ms (6 s): the join is refused for good.
    const { runner, fatal } = await scenario(new ScriptedHandler(), { sessionTimeoutMs: 3_000 });
    await runner.start();
    await pollUntil('the fatal report', async () => (fatal.length > 0 ? true : undefined), { timeoutMs: 30_000 });
    expect(runner.health()).toMatchObject({ ready: false, state: 'failed' });
    expect(fatal[0].message).toMatch(/session timeout/i);
  });
});

describe.each(KAFKA_CLIENTS)('the partition batch runner through a broker outage, client %s', (client) => {
  jest.setTimeout(240_000);

  it('outlives a stopped broker: rejoins, consumes what was sent before and after, and commits it', async () => {
    const kafka = await PrivateKafka.start();
    const admin = testKafka('outage-admin', kafka.brokers).admin();
    const producer = testProducer({ client, brokers: kafka.brokers });
    const namespace = testNamespace(__filename);
    const topic = `${namespace}.work`;
    const groupId = `${namespace}.group`;
    const handler = new ScriptedHandler();
    const fatal: Error[] = [];
    const runner = new PartitionBatchRunner(
      testClients({ client, brokers: kafka.brokers }),
      {
        groupId,
        topic,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        partitionsConsumedConcurrently: 2,
        retry: { initialDelayMs: 50, maxDelayMs: 500, stuckAfterMs: 60_000 },
        onFatal: (error) => fatal.push(error),
      },
      handler,
    );
    const send = (from: number) =>
      producer.send(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `m${from + i}` })),
      );
    const handledCount = () => handler.handled(0).length + handler.handled(1).length;
    try {
      await admin.connect();
      await ensureTopics(admin, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
      await producer.connect();
      await runner.start();
      await send(0);
      await pollUntil('the first 10 messages handled', async () => (handledCount() >= 10 ? true : undefined), {
        timeoutMs: 60_000,
      });

      // Down until the runner has noticed (readiness must tell the truth), past the fetch retries.
      await kafka.stopBroker(1, 30_000);
      await pollUntil('the runner to report itself not ready', async () => (runner.health().ready ? undefined : true), {
        timeoutMs: 90_000,
        intervalMs: 250,
      });
      await kafka.startBroker();
      await send(10);

      await pollUntil(
        'all 20 messages handled and committed, the runner in its group again',
        async () => {
          const lag = await groupLag(admin, groupId, topic);
          return handledCount() >= 20 && lag.get(0) === 0n && lag.get(1) === 0n && runner.health().ready
            ? true
            : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      expect(fatal).toEqual([]);
      // At least once: every offset of both partitions handled, repeats allowed after the outage.
      for (const partition of [0, 1])
        expect(new Set(handler.handled(partition))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    } finally {
      await runner.stop().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await kafka.destroy();
    }
  });
});

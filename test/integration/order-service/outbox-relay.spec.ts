import { randomUUID } from 'node:crypto';
import { EVENT_HEADERS, namespaced, newEventId, TOPICS } from '@redpacket/contracts';
import { PlaceOrderService } from '@redpacket/ordering';
import { claimUnpublishedBatch } from '@redpacket/outbox';
import { TransactionRunner } from '@redpacket/database';
import type { DataSource, EntityManager } from 'typeorm';
import { spawnApp } from '../../../testkit/support/app-process';
import { testKafka } from '../../../testkit/support/kafka.helpers';
import { testNamespace } from '../../../testkit/support/namespace';
import { type OrderServiceUnderTest, startOrderService } from '../../../testkit/support/order-service.harness';
import { TopicReader } from '../../../testkit/support/topic-reader';
import { relayFor } from '../../../testkit/support/relay';
import { PrivateKafka } from '../../../testkit/support/private-kafka';
import { pollUntil } from '../../../testkit/infra/process-utils';

const order = (userId: string) => ({ userId, items: [{ sku: 'BOOK', quantity: 3 }] });

async function placeOrders(
  service: OrderServiceUnderTest,
  userIds: string[],
): Promise<{ orderId: string; userId: string }[]> {
  const placed = [];
  for (const userId of userIds) {
    const response = await service.postOrder(order(userId));
    expect(response.statusCode).toBe(201);
    placed.push(response.json<{ orderId: string; userId: string }>());
  }
  return placed;
}

async function outboxEventIds(dataSource: DataSource, orderIds: string[]): Promise<string[]> {
  const rows = await dataSource.query<{ event_id: string }[]>(
    `SELECT event_id FROM ordering.outbox WHERE payload->>'orderId' = ANY($1) ORDER BY id`,
    [orderIds],
  );
  return rows.map((row) => row.event_id);
}

/** The relay marks rows after the send, so a consumer may see an event just before its row is marked. */
function waitUntilPublished(dataSource: DataSource, eventIds: string[], timeoutMs = 30_000): Promise<true> {
  return pollUntil(
    `${eventIds.length} outbox row(s) marked published`,
    async () => ((await unpublishedCount(dataSource, eventIds)) === 0 ? true : undefined),
    { timeoutMs },
  );
}

async function unpublishedCount(dataSource: DataSource, eventIds: string[]): Promise<number> {
  const [row] = await dataSource.query<{ n: string }[]>(
    'SELECT count(*) AS n FROM ordering.outbox WHERE event_id = ANY($1) AND published_at IS NULL',
    [eventIds],
  );
  return Number(row.n);
}

/**
 * `users` × `eventsPerUser` rows written straight to the outbox, the users' events interleaved (u0, u1, ...,
 * u0, u1, ...); returns their event ids in the order they were written.
 */
async function writeBacklog(
  dataSource: DataSource,
  topic: string,
  { userPrefix, users, eventsPerUser }: { userPrefix: string; users: number; eventsPerUser: number },
): Promise<string[]> {
  const rows = await dataSource.query<{ id: string; event_id: string }[]>(
    `INSERT INTO ordering.outbox (event_id, topic, message_key, event_type, schema_version, payload)
     SELECT gen_random_uuid(), $1, $2 || (i % $3::int), 'OrderPurchased', 1, '{}'
       FROM generate_series(0, $3::int * $4::int - 1) AS i
      ORDER BY i
     RETURNING id, event_id`,
    [topic, `${userPrefix}-u`, users, eventsPerUser],
  );
  return rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id))).map((row) => row.event_id);
}

async function publishedOf(dataSource: DataSource, eventIds: string[]): Promise<string[]> {
  const rows = await dataSource.query<{ event_id: string }[]>(
    'SELECT event_id FROM ordering.outbox WHERE event_id = ANY($1) AND published_at IS NOT NULL',
    [eventIds],
  );
  return rows.map((row) => row.event_id);
}

/** Events of `written` (in the order their rows were written) that the reader saw before an earlier one of their key. */
function outOfOrder(reader: TopicReader, written: string[]): string[] {
  const place = new Map(written.map((eventId, index) => [eventId, index]));
  const last = new Map<string, number>();
  const late: string[] = [];
  for (const message of reader.messages) {
    const eventId = message.headers?.[EVENT_HEADERS.eventId]?.toString() ?? '';
    const at = place.get(eventId);
    if (at === undefined) continue;
    const key = message.key?.toString() ?? '';
    if (at < (last.get(key) ?? -1)) late.push(eventId);
    else last.set(key, at);
  }
  return late;
}

/** Samples the advisory locks held in this database until stopped; resolves with the most seen at once. */
function sampleAdvisoryLocks(dataSource: DataSource): { stop(): Promise<number> } {
  let most = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const [row] = await dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      most = Math.max(most, row.n);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await sampling;
      return most;
    },
  };
}

/** Pages of the outbox table this connection has read since it last reported its statistics. */
async function pagesRead(manager: EntityManager): Promise<number> {
  const [{ pages }] = await manager.query<{ pages: string }[]>(
    `SELECT pg_stat_get_xact_blocks_fetched('ordering.outbox'::regclass) AS pages`,
  );
  return Number(pages);
}

describe('the transactional outbox and its relay', () => {
  const namespace = testNamespace(__filename);
  const topic = namespaced(namespace, TOPICS.orderPurchased);
  let service: OrderServiceUnderTest;
  let reader: TopicReader;

  beforeAll(async () => {
    service = await startOrderService({ KAFKA_NAMESPACE: namespace, OUTBOX_RELAY_ENABLED: 'true' });
    reader = await TopicReader.start(testKafka(), topic, `${namespace}.reader`);
  });
  afterAll(async () => {
    await reader.stop();
    await service.close();
  });

  it('publishes every committed order as OrderPurchased, keyed by user, with id, type and version headers', async () => {
    const users = ['alice', 'bob', 'carol'].map((name) => `${name}-${randomUUID()}`);
    const placed = await placeOrders(service, [...users, ...users, ...users]);
    const eventIds = await outboxEventIds(
      service.dataSource,
      placed.map((o) => o.orderId),
    );
    expect(eventIds).toHaveLength(placed.length);

    await reader.waitForEvents(eventIds);
    for (const placedOrder of placed) {
      const message = reader.messages.find(
        (m) => JSON.parse(m.value?.toString() ?? '{}').orderId === placedOrder.orderId,
      );
      expect(message?.key?.toString()).toBe(placedOrder.userId);
      expect(message?.headers?.[EVENT_HEADERS.eventType]?.toString()).toBe('OrderPurchased');
      expect(message?.headers?.[EVENT_HEADERS.schemaVersion]?.toString()).toBe('1');
      expect(JSON.parse(message?.value?.toString() ?? '{}')).toMatchObject({
        orderId: placedOrder.orderId,
        userId: placedOrder.userId,
        itemCount: 3,
        totalCents: 6000,
      });
    }
    await waitUntilPublished(service.dataSource, eventIds);
  });

  it('publishes nothing for an order whose transaction rolled back', async () => {
    const userId = `rollback-${randomUUID()}`;
    const transactions = service.app.get(TransactionRunner);
    const placeOrders_ = service.app.get(PlaceOrderService);
    let rolledBackOrderId = '';
    await expect(
      transactions.run(async () => {
        const result = await placeOrders_.placeOrder(userId, randomUUID(), { items: order(userId).items });
        rolledBackOrderId = (result.body as { orderId: string }).orderId;
        throw new Error('the business transaction fails after writing the order');
      }),
    ).rejects.toThrow('fails after writing');

    // A later order of the same user goes to the same partition; once it has arrived,
    // the rolled-back one would have arrived before it.
    const [later] = await placeOrders(service, [userId]);
    const [laterEventId] = await outboxEventIds(service.dataSource, [later.orderId]);
    await reader.waitForEvents([laterEventId]);
    expect(await outboxEventIds(service.dataSource, [rolledBackOrderId])).toEqual([]);
    expect(reader.messages.some((m) => m.value?.toString().includes(rolledBackOrderId))).toBe(false);
  });

  it('republishes the same event id when the relay dies after sending and before marking the row', async () => {
    await service.relay.relay.stop();
    try {
      const [placed] = await placeOrders(service, [`crash-${randomUUID()}`]);
      const [eventId] = await outboxEventIds(service.dataSource, [placed.orderId]);

      const crashing = spawnApp('order-service', {
        KAFKA_NAMESPACE: namespace,
        FAILPOINTS: 'outbox-relay.after-send=crash',
      });
      const exit = await crashing.exited;
      expect(exit.signal).toBe('SIGKILL');
      await reader.waitForEvents([eventId]);
      expect(await unpublishedCount(service.dataSource, [eventId])).toBe(1);

      await service.relay.relay.start();
      await reader.waitFor('the event a second time', () => reader.countOf(eventId) === 2);
      await waitUntilPublished(service.dataSource, [eventId]);
    } finally {
      await service.relay.relay.start();
    }
  });

  it('loses nothing and publishes each row once when two relays drain one backlog', async () => {
    await service.relay.relay.stop();
    const placed = await placeOrders(
      service,
      Array.from({ length: 120 }, (_, i) => `pair-${i % 7}-${namespace}`),
    );
    const eventIds = await outboxEventIds(
      service.dataSource,
      placed.map((o) => o.orderId),
    );
    const relays = [relayFor(service.dataSource, { batchSize: 10 }), relayFor(service.dataSource, { batchSize: 10 })];
    await Promise.all(relays.map((r) => r.start()));
    try {
      await reader.waitForEvents(eventIds);
      await waitUntilPublished(service.dataSource, eventIds, 10_000);
      const published = relays.map((r) => r.relay.stats.published);
      expect(published[0] + published[1]).toBe(eventIds.length);
      for (const eventId of eventIds) expect(reader.countOf(eventId)).toBe(1);
      // Each user's events reached Kafka in the order they were written, whichever relay sent them.
      expect(outOfOrder(reader, eventIds)).toEqual([]);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await service.relay.relay.start();
    }
  });

  it.each([1, 3])(
    'publishes every event of a backlog once, each user’s in the order written, with up to %i batch(es) in flight',
    async (depth) => {
      await service.relay.relay.stop();
      // Small claims that may grow fourfold: the backlog takes many batches, of changing sizes.
      const relay = relayFor(service.dataSource, { batchSize: 10, maxBatchSize: 40, pipelineDepth: depth });
      try {
        const eventIds = await writeBacklog(service.dataSource, topic, {
          userPrefix: `depth${depth}-${namespace}`,
          users: 40,
          eventsPerUser: 6,
        });
        await relay.start();
        await reader.waitForEvents(eventIds);
        await waitUntilPublished(service.dataSource, eventIds);
        expect(relay.relay.stats.published).toBe(eventIds.length);
        for (const eventId of eventIds) expect(reader.countOf(eventId)).toBe(1);
        expect(outOfOrder(reader, eventIds)).toEqual([]);
        if (depth === 1) expect(relay.relay.stats.peakInFlight).toBe(1);
        else expect(relay.relay.stats.peakInFlight).toBeGreaterThan(1);
      } finally {
        await relay.stop();
        await service.relay.relay.start();
      }
    },
  );

  it('drains one backlog with six relays of three batches each, holding no lock in the shared lock table', async () => {
    await service.relay.relay.stop();
    // 6 × 3 batches of up to 1,600 rows, each row its own key: with a lock per key in Postgres's shared
    // lock table (64 × max_connections slots by default) this ran out of shared memory.
    const relays = Array.from({ length: 6 }, () =>
      relayFor(service.dataSource, { batchSize: 400, maxBatchSize: 1_600, pipelineDepth: 3 }),
    );
    const eventIds = await writeBacklog(service.dataSource, topic, {
      userPrefix: `six-${namespace}`,
      users: 12_000,
      eventsPerUser: 1,
    });
    const locks = sampleAdvisoryLocks(service.dataSource);
    try {
      await Promise.all(relays.map((r) => r.start()));
      await waitUntilPublished(service.dataSource, eventIds, 120_000);
      await reader.waitForEvents(eventIds, 60_000);
      expect(await locks.stop()).toBe(0);
      for (const eventId of eventIds) expect(reader.countOf(eventId)).toBe(1);
      expect(relays.reduce((sum, r) => sum + r.relay.stats.published, 0)).toBe(eventIds.length);
    } finally {
      await locks.stop();
      await Promise.all(relays.map((r) => r.stop()));
      await service.relay.relay.start();
    }
  });

  it('has marked published every row it sent by the time stop() returns, batches in flight included', async () => {
    await service.relay.relay.stop();
    const relay = relayFor(service.dataSource, { batchSize: 10, pipelineDepth: 3 });
    const admin = testKafka().admin();
    let eventIds: string[] = [];
    try {
      await admin.connect();
      eventIds = await writeBacklog(service.dataSource, topic, {
        userPrefix: `stop-${namespace}`,
        users: 50,
        eventsPerUser: 20,
      });
      const backlog = new Set(eventIds);
      await relay.start();
      await reader.waitFor('the backlog’s first event', () => reader.eventIds().some((id) => backlog.has(id)));
      await relay.stop();

      const published = await publishedOf(service.dataSource, eventIds);
      expect(relay.relay.stats.published).toBe(published.length);
      // Every send was acknowledged before stop() returned: once the reader is at the topic's end it has
      // seen each event sent, and those are exactly the rows marked published.
      await reader.waitForEndOfTopic(admin);
      const sent = new Set(reader.eventIds());
      expect(eventIds.filter((id) => sent.has(id)).sort()).toEqual(published.sort());
    } finally {
      await relay.stop();
      await admin.disconnect();
      await service.relay.relay.start();
      await waitUntilPublished(service.dataSource, eventIds);
    }
  });

  it('holds a user’s later events while an earlier one is in backoff, and sends other users’ meanwhile', async () => {
    await service.relay.relay.stop();
    const [early] = await placeOrders(service, [`held-${namespace}`]);
    const [earlyEvent] = await outboxEventIds(service.dataSource, [early.orderId]);
    // As a failed send leaves it: unpublished, its next attempt later.
    await service.dataSource.query(
      `UPDATE ordering.outbox SET next_attempt_at = now() + interval '1 hour', attempts = 1 WHERE event_id = $1`,
      [earlyEvent],
    );
    const [late, other] = await placeOrders(service, [`held-${namespace}`, `free-${namespace}`]);
    const [lateEvent, otherEvent] = await outboxEventIds(service.dataSource, [late.orderId, other.orderId]);
    await service.relay.relay.start();
    await reader.waitForEvents([otherEvent]);
    await waitUntilPublished(service.dataSource, [otherEvent]);
    // The other user's event went out after the held user's later one was written: the relay did claim
    // past it, and left it. It goes once the earlier one is due again, after it.
    expect(await unpublishedCount(service.dataSource, [earlyEvent, lateEvent])).toBe(2);
    expect(reader.countOf(lateEvent)).toBe(0);
    await service.dataSource.query(`UPDATE ordering.outbox SET next_attempt_at = now() WHERE event_id = $1`, [
      earlyEvent,
    ]);
    await reader.waitForEvents([earlyEvent, lateEvent]);
    expect(outOfOrder(reader, [earlyEvent, lateEvent])).toEqual([]);
  });

  it('finds a ready key however many rows of other keys wait in backoff', async () => {
    await service.relay.relay.stop();
    const relay = relayFor(service.dataSource, { batchSize: 10 });
    // Far more rows in backoff than a claim's window (10 × its rows), all older than the ready one: as a
    // partition without a leader leaves its keys' rows.
    const waiting = await writeBacklog(service.dataSource, topic, {
      userPrefix: `backoff-${namespace}`,
      users: 20,
      eventsPerUser: 50,
    });
    await service.dataSource.query(
      `UPDATE ordering.outbox SET next_attempt_at = now() + interval '1 hour', attempts = 1 WHERE event_id = ANY($1)`,
      [waiting],
    );
    try {
      const [ready] = await placeOrders(service, [`ready-${namespace}`]);
      const [readyEvent] = await outboxEventIds(service.dataSource, [ready.orderId]);
      await relay.start();
      await reader.waitForEvents([readyEvent]);
      await waitUntilPublished(service.dataSource, [readyEvent]);
      expect(await unpublishedCount(service.dataSource, waiting)).toBe(waiting.length);
    } finally {
      await relay.stop();
      await service.dataSource.query('DELETE FROM ordering.outbox WHERE event_id = ANY($1)', [waiting]);
      await service.relay.relay.start();
    }
  });

  it('claims without reading again the rows published since the last vacuum', async () => {
    await service.relay.relay.stop();
    // 4,000 rows published and not yet vacuumed away: their entries are still in the unpublished indexes.
    const history = await writeBacklog(service.dataSource, topic, {
      userPrefix: `history-${namespace}`,
      users: 100,
      eventsPerUser: 40,
    });
    await service.dataSource.query('UPDATE ordering.outbox SET published_at = now() WHERE event_id = ANY($1)', [
      history,
    ]);
    const [{ pages: historyPages }] = await service.dataSource.query<{ pages: string }[]>(
      `SELECT count(DISTINCT (ctid::text::point)[0]) AS pages FROM ordering.outbox WHERE event_id = ANY($1)`,
      [history],
    );
    try {
      const [ready] = await placeOrders(service, [`after-history-${namespace}`]);
      // Each claim in a transaction of its own. A claim only locks rows, so they stay due for the next one.
      const claim = () =>
        service.dataSource.transaction(async (manager) => {
          // The counter holds what this connection read since its last report, so the claim's are a difference.
          const before = await pagesRead(manager);
          const claimed = await claimUnpublishedBatch(manager, 'ordering.outbox', { rows: 200 });
          return { claimed, pages: (await pagesRead(manager)) - before };
        });
      await claim(); // the first claim meets the dead entries and marks them
      const { claimed, pages } = await claim();
      expect(claimed.map((row) => (row.payload as { orderId?: string }).orderId)).toContain(ready.orderId);
      // A bitmap scan reads every page of the history again (Number(historyPages) of them) at every claim.
      expect(Number(historyPages)).toBeGreaterThan(20);
      expect(pages).toBeLessThan(10);
    } finally {
      await service.dataSource.query('DELETE FROM ordering.outbox WHERE event_id = ANY($1)', [history]);
      await service.relay.relay.start();
    }
  });

  it('keeps publishing other topics while one topic cannot be written, and records the failure on its rows', async () => {
    // The stranded row and the orders are claimed in one batch: the relay is stopped until all are in.
    await service.relay.relay.stop();
    const strandedEventId = newEventId();
    try {
      await service.dataSource.query(
        `INSERT INTO ordering.outbox (event_id, topic, message_key, event_type, schema_version, payload)
         VALUES ($1, $2, 'nobody', 'OrderPurchased', 1, '{}')`,
        [strandedEventId, `${namespace}.no-such-topic`],
      );
      const placed = await placeOrders(service, [`beside-${randomUUID()}`, `beside-${randomUUID()}`]);
      const eventIds = await outboxEventIds(
        service.dataSource,
        placed.map((o) => o.orderId),
      );
      await service.relay.relay.start();

      await reader.waitForEvents(eventIds);
      await waitUntilPublished(service.dataSource, eventIds);
      const [stranded] = await service.dataSource.query<
        { published_at: Date | null; attempts: number; last_error: string | null }[]
      >('SELECT published_at, attempts, last_error FROM ordering.outbox WHERE event_id = $1', [strandedEventId]);
      // Retried with backoff meanwhile, so at least the failure of the shared batch is recorded.
      expect(stranded.published_at).toBeNull();
      expect(stranded.attempts).toBeGreaterThanOrEqual(1);
      expect(stranded.last_error).toEqual(expect.any(String));
    } finally {
      await service.dataSource.query('DELETE FROM ordering.outbox WHERE event_id = $1', [strandedEventId]);
      await service.relay.relay.start();
    }
  });
  it('backs off 0.5 s, 1 s, 2 s when its batches keep failing after the send, instead of resending at once', async () => {
    const key = `mark-refused-${randomUUID()}`;
    const eventId = newEventId();
    const failures: Record<string, unknown>[] = [];
    const logger = {
      log: () => undefined,
      warn: () => undefined,
      error: (message: string, fields: Record<string, unknown>) => {
        if (message.startsWith('outbox relay batch failed')) failures.push(fields);
      },
    };
    // The database refuses to mark this row published: every batch fails after Kafka acknowledged it.
    await service.dataSource.query(`
      CREATE FUNCTION ordering.refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'marking refused'; END $$`);
    await service.dataSource.query(
      `CREATE TRIGGER refuse_mark BEFORE UPDATE ON ordering.outbox FOR EACH ROW
        WHEN (OLD.message_key = '${key}' AND NEW.published_at IS NOT NULL) EXECUTE FUNCTION ordering.refuse_mark()`,
    );
    await service.relay.relay.stop();
    const relay = relayFor(service.dataSource, { logger });
    try {
      await service.dataSource.query(
        `INSERT INTO ordering.outbox (event_id, topic, message_key, event_type, schema_version, payload)
         VALUES ($1, $2, $3, 'OrderPurchased', 1, '{}')`,
        [eventId, topic, key],
      );
      await relay.start();
      await pollUntil('three failed batches', async () => Promise.resolve(failures.length >= 3 ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      await relay.stop();
      const sends = () => reader.messages.filter((m) => m.headers?.[EVENT_HEADERS.eventId]?.toString() === eventId);
      await pollUntil(
        'the three sends to be read',
        async () => Promise.resolve(sends().length >= 3 ? true : undefined),
        {
          timeoutMs: 30_000,
        },
      );
      expect(failures.map((f) => [f.failuresInARow, f.retryInMs])).toEqual([
        [1, 500],
        [2, 1_000],
        [3, 2_000],
      ]);
      // One send per failure: none in between, while the relay waited.
      expect(sends()).toHaveLength(3);
    } finally {
      await relay.stop();
      await service.dataSource.query('DROP TRIGGER refuse_mark ON ordering.outbox');
      await service.dataSource.query('DROP FUNCTION ordering.refuse_mark()');
      await service.dataSource.query('DELETE FROM ordering.outbox WHERE event_id = $1', [eventId]);
      await service.relay.relay.start();
    }
  });

  it('purges its own published rows past their retention, and keeps unpublished ones whatever their age', async () => {
    const row = async (publishedHoursAgo: number | null, createdDaysAgo = 0) => {
      const eventId = newEventId();
      await service.dataSource.query(
        `INSERT INTO ordering.outbox (event_id, topic, message_key, event_type, schema_version, payload, published_at,
                                      created_at, next_attempt_at)
         VALUES ($1, 'purge-test', 'k', 'Test', 1, '{}',
                 CASE WHEN $2::int IS NULL THEN NULL ELSE now() - make_interval(hours => $2::int) END,
                 now() - make_interval(days => $3), now() + interval '1 day')`,
        [eventId, publishedHoursAgo, createdDaysAgo],
      );
      return eventId;
    };
    const [old, recent, unpublished] = [await row(2), await row(0), await row(null, 30)];
    try {
      await service.relay.purge(); // OUTBOX_RETENTION_SECONDS: one hour by default

      const left = await service.dataSource.query<{ event_id: string }[]>(
        'SELECT event_id FROM ordering.outbox WHERE event_id = ANY($1)',
        [[old, recent, unpublished]],
      );
      expect(left.map((r) => r.event_id).sort()).toEqual([recent, unpublished].sort());
    } finally {
      await service.dataSource.query('DELETE FROM ordering.outbox WHERE event_id = ANY($1)', [[recent, unpublished]]);
    }
  });
});

describe('the outbox while the broker is down', () => {
  it('keeps accepting orders, records the failed attempts, and publishes everything once the broker is back', async () => {
    const kafka = await PrivateKafka.start();
    const namespace = testNamespace(__filename);
    const service = await startOrderService({
      KAFKA_NAMESPACE: namespace,
      KAFKA_BROKERS: kafka.brokers.join(','),
      OUTBOX_SEND_RETRIES: '1',
    });
    try {
      // A clean stop: this test is about the outbox while Kafka is unreachable. Once, a single KRaft node
      // SIGKILLed this soon after creating the topic came back without it (crash restarts: faults.spec).
      await kafka.stopBroker(1, 30_000);
      const placed = await placeOrders(
        service,
        Array.from({ length: 20 }, (_, i) => `down-${i % 4}`),
      );
      const eventIds = await outboxEventIds(
        service.dataSource,
        placed.map((o) => o.orderId),
      );
      await pollUntil(
        'a failed publish attempt recorded on the outbox rows',
        async () => {
          const [row] = await service.dataSource.query<{ n: string }[]>(
            'SELECT count(*) AS n FROM ordering.outbox WHERE event_id = ANY($1) AND attempts > 0 AND last_error IS NOT NULL',
            [eventIds],
          );
          return Number(row.n) > 0 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(await unpublishedCount(service.dataSource, eventIds)).toBe(eventIds.length);

      await kafka.startBroker();
      const reader = await TopicReader.start(
        testKafka('down-reader', kafka.brokers),
        namespaced(namespace, TOPICS.orderPurchased),
        `${namespace}.reader`,
      );
      try {
        await reader.waitForEvents(eventIds, 90_000);
        await waitUntilPublished(service.dataSource, eventIds, 30_000);
      } finally {
        await reader.stop();
      }
    } finally {
      await service.close();
      await kafka.destroy();
    }
  });
});

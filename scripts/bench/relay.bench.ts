import { Logger } from '@nestjs/common';
import { BaseConfig, type KafkaClientName, WithOutbox } from '@redpacket/config';
import { EVENT_HEADERS } from '@redpacket/contracts';
import type { EventProducer } from '@redpacket/kafka';
import { OutboxRelay, outboxLocation } from '@redpacket/outbox';
import { type Kafka, type Message, Partitioners } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { testProducer } from '../../testkit/support/kafka.helpers';
import { pollUntil } from '../../testkit/infra/process-utils';
import { type BenchContext, withSystem } from './bench-context';
import type { BenchOptions } from './bench-options';
import { insertOutboxBacklog } from './outbox-backlog';
import { log, medianOf, perSecond, ratio, repeat } from './stats';
import {
  benchDebezium,
  DEBEZIUM_VERSION,
  type DebeziumResult,
  type DebeziumSkipped,
  whyDebeziumCannotRun,
} from './debezium.bench';

export interface RelayRun {
  relayEventsPerSecond: number;
  producerEventsPerSecond: number;
  /** relay ÷ bare producer, same messages, same run. */
  ratio: number;
  /** The same relay on the @platformatic/kafka producer (KAFKA_CLIENT=platformatic), a second backlog of the same size. */
  platformaticEventsPerSecond?: number;
  /** platformatic relay ÷ the same bare kafkajs producer. */
  platformaticRatio?: number;
}

export interface RelayResult {
  events: number;
  batchSize: number;
  /** Absent from results recorded before the relay was pipelined (one batch at a time, of one size). */
  maxBatchSize?: number;
  pipelineDepth?: number;
  runs: RelayRun[];
  median: RelayRun;
  /** Debezium's outbox event router on the same broker, after the relay's runs; absent from older results. */
  debezium?: DebeziumResult | DebeziumSkipped;
}

/** The steady load at which Debezium's and the relay's delays are compared. */
const STEADY_RATE = 200;

const OUTBOX = outboxLocation('ordering');
/** The relay is measured as the apps run it: their default pipeline depth and claim growth. */
const APP_DEFAULTS = new (WithOutbox(BaseConfig))();

/**
 * A backlog of N outbox rows drained by libs/outbox OutboxRelay (with the kafkajs producer the
 * apps use, and their default pipeline depth and largest claim), a second backlog drained by the
 * same relay on the @platformatic/kafka producer (the two take turns going first), then the first
 * backlog's N messages sent by a
 * bare kafkajs idempotent producer in batches of the relay's largest claim, so that the two send
 * requests of the same size. Both producers connect before the clock starts. Then, on a fresh system,
 * Debezium's outbox event router on the same backlog size and broker (`benchDebezium`), where the
 * bench's Postgres can feed it.
 */
export async function benchRelay(context: BenchContext, options: BenchOptions): Promise<RelayResult> {
  const label = `relay outbox → Kafka, ${APP_DEFAULTS.OUTBOX_PIPELINE_DEPTH} batches in flight`;
  let runIndex = 0;
  const runs = await repeat(options.runs, label, () =>
    withSystem(context, 'inbox-tx', async (system): Promise<RelayRun> => {
      // A backlog of its own for each client's relay; they take turns going first, so neither always
      // meets the warmer broker and database.
      const drainedMs = new Map<KafkaClientName, number>();
      const order: KafkaClientName[] = runIndex++ % 2 === 0 ? ['kafkajs', 'platformatic'] : ['platformatic', 'kafkajs'];
      for (const client of order) {
        await insertOutboxBacklog(context.dataSource, system.topic, options.relayEvents);
        const producer = testProducer({ client, retries: 3 });
        drainedMs.set(client, await drainWithRelay(context, producer, options.relayBatchSize));
      }
      const messages = (await backlogMessages(context.dataSource)).slice(0, options.relayEvents);
      const producerMs = await sendWithBareProducer(
        system.kafka,
        system.topic,
        messages,
        Math.max(options.relayBatchSize, APP_DEFAULTS.OUTBOX_MAX_BATCH_SIZE),
      );
      const relayEventsPerSecond = perSecond(options.relayEvents, drainedMs.get('kafkajs') ?? Infinity);
      const platformaticEventsPerSecond = perSecond(options.relayEvents, drainedMs.get('platformatic') ?? Infinity);
      const producerEventsPerSecond = perSecond(messages.length, producerMs);
      return {
        relayEventsPerSecond,
        producerEventsPerSecond,
        ratio: ratio(relayEventsPerSecond, producerEventsPerSecond),
        platformaticEventsPerSecond,
        platformaticRatio: ratio(platformaticEventsPerSecond, producerEventsPerSecond),
      };
    }),
  );
  const median = {
    relayEventsPerSecond: medianOf(runs, (r) => r.relayEventsPerSecond),
    producerEventsPerSecond: medianOf(runs, (r) => r.producerEventsPerSecond),
    ratio: medianOf(runs, (r) => r.ratio),
    platformaticEventsPerSecond: medianOf(runs, (r) => r.platformaticEventsPerSecond ?? 0),
    platformaticRatio: medianOf(runs, (r) => r.platformaticRatio ?? 0),
  };
  const better: KafkaClientName = median.platformaticRatio > median.ratio ? 'platformatic' : 'kafkajs';
  const debezium = await debeziumBeside(context, options, better);
  return {
    events: options.relayEvents,
    batchSize: options.relayBatchSize,
    maxBatchSize: APP_DEFAULTS.OUTBOX_MAX_BATCH_SIZE,
    pipelineDepth: APP_DEFAULTS.OUTBOX_PIPELINE_DEPTH,
    runs,
    median,
    debezium,
  };
}

/** Debezium's outbox event router on the same backlog and broker, or why it did not run. */
async function debeziumBeside(
  context: BenchContext,
  options: BenchOptions,
  better: KafkaClientName,
): Promise<DebeziumResult | DebeziumSkipped> {
  const unavailable = await whyDebeziumCannotRun(context);
  if (unavailable) {
    log(`Debezium not measured: ${unavailable}`);
    return { skipped: unavailable };
  }
  log(`Debezium ${DEBEZIUM_VERSION} outbox event router, same backlog and broker`);
  return withSystem(context, 'inbox-tx', (system) =>
    benchDebezium(context, system, {
      events: options.relayEvents,
      steadyRate: STEADY_RATE,
      relayClient: better,
      relaySettings: {
        batchSize: options.relayBatchSize,
        maxBatchSize: APP_DEFAULTS.OUTBOX_MAX_BATCH_SIZE,
        pipelineDepth: APP_DEFAULTS.OUTBOX_PIPELINE_DEPTH,
      },
    }),
  ).catch((error: Error): DebeziumSkipped => {
    log(`Debezium failed: ${error.stack ?? error.message}`);
    return { skipped: `it failed on this machine: ${error.message.split('\n')[0]}` };
  });
}

/** The very messages the relay will send (same key, value and headers), for the bare producer. */
async function backlogMessages(dataSource: DataSource): Promise<Message[]> {
  const rows = await dataSource.query<{ event_id: string; message_key: string; payload: object }[]>(
    `SELECT event_id, message_key, payload FROM ${OUTBOX.table} ORDER BY id`,
  );
  return rows.map((row) => ({
    key: row.message_key,
    value: JSON.stringify(row.payload),
    headers: {
      [EVENT_HEADERS.eventId]: row.event_id,
      [EVENT_HEADERS.eventType]: 'OrderPurchased',
      [EVENT_HEADERS.schemaVersion]: '1',
    },
  }));
}

/** Milliseconds from starting the relay until no outbox row is left unpublished. */
async function drainWithRelay(context: BenchContext, producer: EventProducer, batchSize: number): Promise<number> {
  await producer.connect();
  const relay = new OutboxRelay(
    context.dataSource,
    producer,
    {
      location: OUTBOX,
      databaseUrl: context.databaseUrl,
      batchSize,
      maxBatchSize: APP_DEFAULTS.OUTBOX_MAX_BATCH_SIZE,
      pipelineDepth: APP_DEFAULTS.OUTBOX_PIPELINE_DEPTH,
    },
    new Logger('BenchRelay'),
  );
  try {
    const started = performance.now();
    await relay.start();
    await pollUntil('the outbox backlog to be published', () => unpublishedIsZero(context.dataSource), {
      timeoutMs: 600_000,
      intervalMs: 20,
    });
    return performance.now() - started;
  } finally {
    await relay.stop();
    await producer.disconnect();
  }
}

async function unpublishedIsZero(dataSource: DataSource): Promise<true | undefined> {
  const [row] = await dataSource.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM ${OUTBOX.table} WHERE published_at IS NULL`,
  );
  return Number(row.n) === 0 ? true : undefined;
}

/** Milliseconds for a bare idempotent producer (acks -1, one request in flight) to send every batch. */
async function sendWithBareProducer(kafka: Kafka, topic: string, messages: Message[], batchSize: number) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const started = performance.now();
    for (let i = 0; i < messages.length; i += batchSize) {
      await producer.send({ topic, messages: messages.slice(i, i + batchSize), acks: -1 });
    }
    return performance.now() - started;
  } finally {
    await producer.disconnect();
  }
}

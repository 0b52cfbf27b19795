import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { KafkaClientName } from '@redpacket/config';
import { OutboxRelay, type OutboxRelayOptions, outboxLocation } from '@redpacket/outbox';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { testProducer } from '../../testkit/support/kafka.helpers';
import { kafkaToolsCommandConfig } from '../../testkit/infra/kafka-users';
import {
  DEFAULT_KAFKA_VERSION,
  dependency,
  fetchMavenArtifacts,
  isJavaAvailable,
  loggingArtifacts,
} from '../../testkit/infra/local-kafka';
import { pollUntil } from '../../testkit/infra/process-utils';
import { REPO_ROOT } from '../../testkit/infra/provision';
import type { SystemUnderTest } from '../../testkit/system/system';
import type { BenchContext } from './bench-context';
import { insertOutboxBacklog } from './outbox-backlog';
import { log, percentileOfSorted, perSecond, sleep } from './stats';

export const DEBEZIUM_VERSION = '3.6.1.Final';
/** Kafka Connect of the broker's own version. */
const CONNECT_VERSION = DEFAULT_KAFKA_VERSION;
const CONNECT_REST_PORT = 58083;
const WORK_DIR = join(REPO_ROOT, '.infra', 'bench-connect');
const SLOT = 'redpacket_bench_debezium';
const OUTBOX = outboxLocation('ordering');

/** One steady load: rows written at a fixed rate, each its own transaction, and how long until Kafka had each. */
export interface SteadyLatency {
  ratePerSecond: number;
  events: number;
  p50Ms: number;
  p99Ms: number;
}

export interface DebeziumResult {
  debezium: string;
  connect: string;
  /** The connector's and its producer's settings that differ from the defaults: what "tuned" means here. */
  tuning: Record<string, string>;
  events: number;
  /** The backlog, from its commit until Kafka had every event. */
  eventsPerSecond: number;
  /** Debezium under the steady load: the row's transaction start → the broker's append time. */
  steady: SteadyLatency;
  /** The relay under the same steady load, same run: the row's transaction start → Kafka's acknowledgement. */
  relaySteady: SteadyLatency;
  /** The relay's client in that steady load. */
  relayClient: KafkaClientName;
}

export interface DebeziumRun {
  events: number;
  steadyRate: number;
  /** The relay's client and settings for the same steady load. */
  relayClient: KafkaClientName;
  relaySettings: Pick<OutboxRelayOptions, 'batchSize' | 'maxBatchSize' | 'pipelineDepth'>;
}

/** Why Debezium did not run on this machine; the rest of the bench goes on. */
export interface DebeziumSkipped {
  skipped: string;
}

/**
 * Tuned as far as its documentation allows for throughput and delay: the streaming loop polls every
 * 10 ms instead of 500, batches and its queue are larger, and its producer lingers 5 ms with five
 * requests in flight. It stays as safe as the relay: an idempotent producer with acks=all.
 */
const TUNING: Record<string, string> = {
  'poll.interval.ms': '10',
  'max.batch.size': '8192',
  'max.queue.size': '32768',
  'producer.linger.ms': '5',
  'producer.batch.size': '524288',
  'producer.max.in.flight.requests.per.connection': '5',
};

/**
 * Debezium's outbox event router beside the relay: Kafka Connect (standalone) and
 * debezium-connector-postgres from Maven Central, reading the bench's own cluster (`wal_level=logical`)
 * through a replication slot and writing to the same broker. It streams only what is written after it
 * started (`snapshot.mode=no_data`): a backlog of `events` rows inserted in one transaction, then a
 * steady load, each row its own transaction. The relay meets the same steady load in the same run.
 */
export async function benchDebezium(
  context: BenchContext,
  system: SystemUnderTest,
  { events, steadyRate, relayClient, relaySettings }: DebeziumRun,
): Promise<DebeziumResult> {
  const libs = await ensureConnectJars();
  const partitions = (await system.admin.fetchTopicMetadata({ topics: [system.topic] })).topics[0].partitions.length;
  const backlogTopic = `${system.namespace}.debezium.backlog`;
  const steadyTopic = `${system.namespace}.debezium.steady`;
  await system.admin.createTopics({
    waitForLeaders: true,
    topics: [backlogTopic, steadyTopic].map((topic) => ({
      topic,
      numPartitions: partitions,
      // The broker stamps each record as it appends it: the end of Debezium's delay, on the machine's clock.
      configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
    })),
  });

  const connect = startConnect(libs, context);
  let result: Omit<DebeziumResult, 'relaySteady' | 'relayClient'>;
  try {
    await startConnector(context);
    // The connector streams from its slot's creation on: a first backlog through proves it is streaming,
    // and warms the JVM up as the relay's process is warm.
    const warmUp = Math.ceil(events / 4);
    await insertOutboxBacklog(context.dataSource, backlogTopic, warmUp);
    await waitForEvents(system.admin, backlogTopic, warmUp);

    await insertOutboxBacklog(context.dataSource, backlogTopic, events);
    const committed = performance.now();
    await waitForEvents(system.admin, backlogTopic, warmUp + events);
    const eventsPerSecond = perSecond(events, performance.now() - committed);

    const sent = await writeSteadily(context.dataSource, steadyTopic, steadyRate);
    await waitForEvents(system.admin, steadyTopic, sent);
    const steady = await appendLatency(context, system, steadyTopic, steadyRate);
    result = {
      debezium: DEBEZIUM_VERSION,
      connect: CONNECT_VERSION,
      tuning: TUNING,
      events,
      eventsPerSecond,
      steady,
    };
  } finally {
    await stopConnect(connect, context.dataSource);
  }
  const relaySteady = await relayUnderSteadyLoad(context, system, steadyRate, relayClient, relaySettings);
  return { ...result, relaySteady, relayClient };
}

/** Why Debezium cannot run with this bench's Postgres and machine, if it cannot. */
export async function whyDebeziumCannotRun(context: BenchContext): Promise<string | undefined> {
  if (!context.ownPostgres)
    return 'Debezium reads the WAL through a logical replication slot: run the bench with --own-postgres, whose cluster has wal_level=logical';
  const [{ wal_level: walLevel }] = await context.dataSource.query<{ wal_level: string }[]>('SHOW wal_level');
  if (walLevel !== 'logical') return `the bench's Postgres has wal_level=${walLevel}; Debezium needs logical`;
  if (!(await isJavaAvailable()))
    return 'Kafka Connect needs Java 17+ and Maven (to fetch its jars), and neither is on PATH';
  return undefined;
}

/** Kafka Connect and the Debezium connector's jars, fetched from Maven Central once. */
async function ensureConnectJars(): Promise<string> {
  const home = join(REPO_ROOT, '.infra', 'cache', `connect-${CONNECT_VERSION}-debezium-${DEBEZIUM_VERSION}`);
  const libs = join(home, 'libs');
  if (existsSync(join(libs, `debezium-connector-postgres-${DEBEZIUM_VERSION}.jar`))) return libs;
  log(`Kafka Connect ${CONNECT_VERSION} and debezium-connector-postgres ${DEBEZIUM_VERSION} from Maven Central`);
  return fetchMavenArtifacts(
    home,
    dependency('org.apache.kafka', 'connect-runtime', CONNECT_VERSION) +
      dependency('org.apache.kafka', 'connect-json', CONNECT_VERSION) +
      dependency('io.debezium', 'debezium-connector-postgres', DEBEZIUM_VERSION) +
      loggingArtifacts(CONNECT_VERSION),
    'Kafka Connect and Debezium',
  );
}

/** A standalone Connect worker on the bench's broker, as its super user; the connector comes by REST. */
function startConnect(libs: string, context: BenchContext): ChildProcess {
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const { kafkaAdmin, kafkaCaFile, kafkaBrokers } = context.infra;
  const client = kafkaAdmin ? kafkaToolsCommandConfig(kafkaAdmin, kafkaCaFile).trim().split('\n') : [];
  const producerTuning = Object.entries(TUNING).filter(([name]) => name.startsWith('producer.'));
  writeFileSync(
    join(WORK_DIR, 'worker.properties'),
    [
      `bootstrap.servers=${kafkaBrokers.join(',')}`,
      ...client,
      // A source worker's producer does not inherit the worker's client settings.
      ...client.map((line) => `producer.${line}`),
      'producer.enable.idempotence=true',
      'producer.acks=all',
      ...producerTuning.map(([name, value]) => `${name}=${value}`),
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
      `offset.storage.file.filename=${join(WORK_DIR, 'offsets')}`,
      'offset.flush.interval.ms=1000',
      `listeners=http://127.0.0.1:${CONNECT_REST_PORT}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(WORK_DIR, 'log4j.properties'),
    'log4j.rootLogger=INFO, file\nlog4j.appender.file=org.apache.log4j.FileAppender\n' +
      `log4j.appender.file.File=${join(WORK_DIR, 'connect.log')}\n` +
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout\nlog4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
  );
  const output = openSync(join(WORK_DIR, 'connect.out'), 'a');
  return spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx1g',
      `-Dlog4j.configuration=file:${join(WORK_DIR, 'log4j.properties')}`,
      '-cp',
      `${libs}/*`,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      join(WORK_DIR, 'worker.properties'),
    ],
    { stdio: ['ignore', output, output] },
  );
}

/** Creates the connector with its outbox event router, and waits until its task runs. */
async function startConnector(context: BenchContext): Promise<void> {
  const url = new URL(context.databaseUrl);
  const rest = `http://127.0.0.1:${CONNECT_REST_PORT}`;
  await pollUntil(
    'Kafka Connect to answer',
    () =>
      fetch(rest).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    {
      timeoutMs: 120_000,
      intervalMs: 250,
    },
  );
  const config = {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'plugin.name': 'pgoutput',
    'database.hostname': url.hostname,
    'database.port': url.port,
    'database.user': decodeURIComponent(url.username),
    'database.password': decodeURIComponent(url.password),
    'database.dbname': url.pathname.slice(1),
    'topic.prefix': 'redpacket-bench',
    'table.include.list': OUTBOX.table,
    'slot.name': SLOT,
    'publication.name': SLOT,
    'publication.autocreate.mode': 'filtered',
    'snapshot.mode': 'no_data',
    'tombstones.on.delete': 'false',
    transforms: 'outbox',
    'transforms.outbox.type': 'io.debezium.transforms.outbox.EventRouter',
    'transforms.outbox.table.field.event.id': 'event_id',
    'transforms.outbox.table.field.event.key': 'message_key',
    'transforms.outbox.table.field.event.payload': 'payload',
    'transforms.outbox.table.fields.additional.placement':
      'event_type:header:event-type,schema_version:header:schema-version',
    'transforms.outbox.route.by.field': 'topic',
    'transforms.outbox.route.topic.replacement': '${routedByValue}',
    ...Object.fromEntries(Object.entries(TUNING).filter(([name]) => !name.startsWith('producer.'))),
  };
  const created = await fetch(`${rest}/connectors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'outbox', config }),
  });
  if (!created.ok) throw new Error(`Kafka Connect refused the connector: ${created.status} ${await created.text()}`);
  await pollUntil(
    'the Debezium task to run',
    async () => {
      const status = (await (await fetch(`${rest}/connectors/outbox/status`)).json()) as {
        tasks?: { state: string; trace?: string }[];
      };
      const task = status.tasks?.[0];
      if (task?.state === 'FAILED') throw new Error(`the Debezium task failed: ${task.trace?.split('\n')[0]}`);
      return task?.state === 'RUNNING' ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
}

/** Stops the worker and drops its slot: a slot left behind would keep the cluster's WAL, and the database. */
async function stopConnect(connect: ChildProcess, dataSource: DataSource): Promise<void> {
  await fetch(`http://127.0.0.1:${CONNECT_REST_PORT}/connectors/outbox`, { method: 'DELETE' }).catch(() => undefined);
  const exited = new Promise((resolve) => connect.once('exit', resolve));
  if (connect.exitCode === null) connect.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (connect.exitCode === null) connect.kill('SIGKILL');
  await pollUntil(
    'the replication slot to be released and dropped',
    async () => {
      const [slot] = await dataSource.query<{ active: boolean }[]>(
        'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
        [SLOT],
      );
      if (!slot) return true;
      if (!slot.active) await dataSource.query('SELECT pg_drop_replication_slot($1)', [SLOT]);
      return undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  await dataSource.query(`DROP PUBLICATION IF EXISTS ${SLOT}`);
}

async function waitForEvents(admin: Admin, topic: string, count: number): Promise<void> {
  await pollUntil(
    `${count} events on ${topic}`,
    async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, partition) => sum + Number(partition.high), 0) >= count ? true : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 20 },
  );
}

const STEADY_SECONDS = 10;

/**
 * Writes `rate` outbox rows a second for ten seconds, each its own transaction with the NOTIFY the
 * order service sends, on a fixed schedule whatever the database's answers (an open loop). Returns how many.
 */
async function writeSteadily(dataSource: DataSource, topic: string, rate: number): Promise<number> {
  const total = rate * STEADY_SECONDS;
  const started = performance.now();
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1_000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    writes.push(insertOutboxBacklog(dataSource, topic, 1, { firstUser: i, notify: OUTBOX.channel }));
  }
  await Promise.all(writes);
  return total;
}

/** Each steady event's delay: the broker's append time (read back) less its row's transaction start. */
async function appendLatency(
  context: BenchContext,
  system: SystemUnderTest,
  topic: string,
  rate: number,
): Promise<SteadyLatency> {
  const created = new Map(
    (
      await context.dataSource.query<{ event_id: string; ms: string }[]>(
        `SELECT event_id, extract(epoch FROM created_at) * 1000 AS ms FROM ${OUTBOX.table} WHERE topic = $1`,
        [topic],
      )
    ).map((row) => [row.event_id, Number(row.ms)]),
  );
  const delays: number[] = [];
  const consumer = system.kafka.consumer({ groupId: `${topic}.reader` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const { eventId } = JSON.parse(message.value?.toString() ?? '{}') as { eventId?: string };
        const at = eventId === undefined ? undefined : created.get(eventId);
        if (at !== undefined) delays.push(Number(message.timestamp) - at);
      },
    });
    await pollUntil('every steady event read back', async () => (delays.length >= created.size ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 50,
    });
  } finally {
    await consumer.disconnect();
  }
  return latencyOf(delays, rate);
}

/** The relay (as the apps run it) under the same steady load: transaction start → Kafka's acknowledgement. */
async function relayUnderSteadyLoad(
  context: BenchContext,
  system: SystemUnderTest,
  rate: number,
  client: KafkaClientName,
  settings: DebeziumRun['relaySettings'],
): Promise<SteadyLatency> {
  const producer = testProducer({ client, retries: 3 });
  await producer.connect();
  const relay = new OutboxRelay(
    context.dataSource,
    producer,
    { location: OUTBOX, databaseUrl: context.databaseUrl, ...settings },
    new Logger('BenchRelay'),
  );
  // Debezium's rows are Debezium's: the relay would otherwise publish them all before the steady load.
  await context.dataSource.query(`DELETE FROM ${OUTBOX.table} WHERE published_at IS NULL`);
  try {
    await relay.start();
    const sent = await writeSteadily(context.dataSource, system.topic, rate);
    await pollUntil(
      'the steady load published',
      async () => {
        const [row] = await context.dataSource.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM ${OUTBOX.table} WHERE topic = $1 AND published_at IS NOT NULL`,
          [system.topic],
        );
        return Number(row.n) >= sent ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
  } finally {
    await relay.stop();
    await producer.disconnect();
  }
  const rows = await context.dataSource.query<{ ms: string }[]>(
    `SELECT extract(epoch FROM published_at - created_at) * 1000 AS ms FROM ${OUTBOX.table} WHERE topic = $1`,
    [system.topic],
  );
  return latencyOf(
    rows.map((row) => Number(row.ms)),
    rate,
  );
}

function latencyOf(delays: number[], rate: number): SteadyLatency {
  const sorted = [...delays].sort((a, b) => a - b);
  return {
    ratePerSecond: rate,
    events: sorted.length,
    p50Ms: percentileOfSorted(sorted, 50),
    p99Ms: percentileOfSorted(sorted, 99),
  };
}

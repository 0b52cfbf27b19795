import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import type { KafkaClientName } from '@redpacket/config';
import {
  type AppPrincipal,
  createKafkaClient,
  type EventProducer,
  grantSystemAccess,
  type KafkaClientOptions,
  KafkaClients,
  type KafkaCredentials,
  kafkaCredentialsOf,
  kafkaErrorType,
} from '@redpacket/kafka';
import type { Admin, Consumer, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { developmentKafkaEnv } from '../infra/kafka-users';

/** Whether the run's broker authenticates clients (the local one does; a plain container does not). */
export function brokerAuthenticates(): boolean {
  return process.env.KAFKA_SASL_USERNAME !== undefined;
}

/** The environment that makes an app sign in as its own principal, on a broker that authenticates. */
export function appKafkaEnv(principal: AppPrincipal): Record<string, string> {
  return brokerAuthenticates() ? developmentKafkaEnv(principal) : {};
}

/** Grants every app its rules in a namespace (the test's super user does this, as an operator would). */
export async function grantNamespaceAccess(admin: Admin, namespace: string): Promise<void> {
  if (brokerAuthenticates()) await grantSystemAccess(admin, namespace);
}

/** `tls`: null for a plaintext broker (one behind the fault-injecting proxy); the run's TLS otherwise. */
export function testKafka(clientId = 'redpacket-test', brokers?: string[], tls: TestTls = testTls()): Kafka {
  return createKafkaClient({
    brokers: brokers ?? (process.env.KAFKA_BROKERS ?? '').split(','),
    clientId,
    logger: new Logger('KafkaTest'),
    logLevel: 'error',
    sasl: testCredentials(),
    tls: tls ?? undefined,
  });
}

/** The client library the run's apps and producers use: `KAFKA_CLIENT`, kafkajs unless told. */
export function testClientName(): KafkaClientName {
  return process.env.KAFKA_CLIENT === 'platformatic' ? 'platformatic' : 'kafkajs';
}

/** The ports' factory of the run's client (or `client`), as the apps build theirs. */
export function testClients(
  options: { client?: KafkaClientName; brokers?: string[]; tls?: TestTls } = {},
): KafkaClients {
  const tls = options.tls === undefined ? testTls() : options.tls;
  const clientOptions: KafkaClientOptions = {
    brokers: options.brokers ?? (process.env.KAFKA_BROKERS ?? '').split(','),
    clientId: 'redpacket-test',
    logger: new Logger('KafkaTest'),
    logLevel: 'error',
    sasl: testCredentials(),
    tls: tls ?? undefined,
  };
  return new KafkaClients(options.client ?? testClientName(), clientOptions, createKafkaClient(clientOptions));
}

/** An idempotent producer behind the port, of the run's client (or `client`), as the apps build theirs. */
export function testProducer(
  options: { retries?: number; client?: KafkaClientName; brokers?: string[]; tls?: TestTls } = {},
): EventProducer {
  return testClients(options).idempotentProducer(options.retries);
}

/** A client's TLS: the CA its broker's certificate verifies with, or null for plaintext. */
export type TestTls = { ca: string } | null;

/** TLS as the run's brokers speak it: the CA the global setup exports, or plaintext without one. */
export function testTls(): TestTls {
  const caFile = process.env.KAFKA_SSL_CA_FILE;
  return caFile ? { ca: readFileSync(caFile, 'utf8') } : null;
}

/** How to reach a private broker: TLS as the run's, or plaintext behind the fault-injecting proxy. */
export function tlsOf(broker: { tls: boolean }): TestTls {
  return broker.tls ? testTls() : null;
}

/** The run's super user (from the environment the global setup exports), or none on an open broker. */
export function testCredentials(): KafkaCredentials | undefined {
  return kafkaCredentialsOf({
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: process.env.KAFKA_SASL_USERNAME,
    KAFKA_SASL_PASSWORD: process.env.KAFKA_SASL_PASSWORD,
  });
}

export type ReceivedMessage = KafkaMessage & { topic: string; partition: number };

/**
 * Subscribes and resolves once `count` messages have arrived, or rejects at the deadline
 * with what did arrive. `onMessage` runs before a message is counted (commit offsets there).
 */
export async function consumeMessages(
  consumer: Consumer,
  topic: string,
  count: number,
  options: { timeoutMs?: number; onMessage?: (payload: EachMessagePayload) => Promise<void> } = {},
): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  const timeoutMs = options.timeoutMs ?? 30_000;
  await consumer.subscribe({ topic, fromBeginning: true });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`expected ${count} message(s) on ${topic} within ${timeoutMs} ms, got ${received.length}`)),
      timeoutMs,
    );
    consumer
      .run({
        autoCommit: false,
        eachMessage: async (payload) => {
          await options.onMessage?.(payload);
          received.push({ ...payload.message, topic: payload.topic, partition: payload.partition });
          if (received.length === count) {
            clearTimeout(timer);
            resolve(received);
          }
        },
      })
      .catch(reject);
  });
}

/** What the broker answers one idempotent, acks=all write to `topic`: 'written', or the error it refused with. */
export async function produceAnswer(kafka: Kafka, topic: string): Promise<string> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'forged' }] });
    return 'written';
  } catch (error) {
    return kafkaErrorType(error) || (error as Error).name;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

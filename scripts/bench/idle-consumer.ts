import { readFileSync } from 'node:fs';
import { patchKafkajs, saslOptions } from '@redpacket/kafka';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The idle-CPU baseline: a bare kafkajs consumer (patched as the apps' clients are) in a group on an
 * empty topic, and nothing else. Usage: idle-consumer.ts BROKERS TOPIC GROUP FETCH_WAIT_MS
 */
async function main([brokers, topic, groupId, fetchWaitMs]: string[]): Promise<void> {
  patchKafkajs();
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = process.env;
  const kafka = new Kafka({
    clientId: 'bench-idle-baseline',
    brokers: brokers.split(','),
    logLevel: logLevel.ERROR,
    // The harness's principal, from the environment it passes on: the baseline signs in as the apps do.
    sasl: saslOptions(username && password ? { username, password } : undefined),
    ssl: process.env.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(process.env.KAFKA_SSL_CA_FILE, 'utf8')] } : undefined,
  });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: Number(fetchWaitMs) });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
  process.once('SIGTERM', () => void consumer.disconnect().finally(() => process.exit(0)));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

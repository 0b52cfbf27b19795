import { parseArgs } from 'node:util';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppSettings, ConfigValidationError, loadConfig, WithKafka } from '@redpacket/config';
import { createKafkaClient, KafkaAdmin, kafkaCredentialsOf, kafkaTlsOf } from '@redpacket/kafka';
import { Kafka } from 'kafkajs';
import { describeConsumerLag, formatLagTable, type LagRow } from '@redpacket/monitoring';

/** The CLI reaches Kafka only: it declares the process's settings and Kafka's, nothing else. */
class LagConfig extends WithKafka(AppSettings) {}

const USAGE = 'usage: npm run lag -- [--group GROUP]   (every consumer group when no group is given)';

/** Prints consumer lag the way `kafka-consumer-groups.sh --describe` does. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { group: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) return void console.log(USAGE);
  const config = loadConfig(LagConfig, process.env);
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: 'redpacket-lag',
    logger: new Logger('lag'),
    logLevel: 'error',
    sasl: kafkaCredentialsOf(config),
    tls: kafkaTlsOf(config),
  });
  // Only the admin client: the apps' KafkaModule would also ensure the system topics.
  @Module({ providers: [{ provide: Kafka, useValue: kafka }, KafkaAdmin] })
  class LagModule {}
  const context = await NestFactory.createApplicationContext(LagModule, { logger: false });
  const admin = context.get(KafkaAdmin);
  try {
    const groups = values.group
      ? [values.group]
      : (await admin.groupIds()).filter((g) => !g.startsWith('redpacket-warm-up'));
    const rows: LagRow[] = [];
    for (const group of groups.sort()) rows.push(...(await describeConsumerLag(admin, group)));
    console.log(rows.length > 0 ? formatLagTable(rows) : 'no committed offsets for the group(s)');
  } finally {
    await context.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigValidationError ? error.message : ((error as Error).message ?? error));
  process.exit(1);
});

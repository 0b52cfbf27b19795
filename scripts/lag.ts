import { parseArgs } from 'node:util';
import { Logger } from '@nestjs/common';
import { AppSettings, ConfigValidationError, loadConfig, WithKafka } from '@redpacket/config';
import { createKafkaClient, KafkaAdmin, kafkaCredentialsOf, kafkaTlsOf } from '@redpacket/kafka';
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
  // A one-shot CLI is its own composition root: the apps' KafkaModule would also ensure the system topics.
  const admin = new KafkaAdmin(kafka);
  try {
    const groups = values.group
      ? [values.group]
      : (await admin.groupIds()).filter((g) => !g.startsWith('redpacket-warm-up'));
    const rows: LagRow[] = [];
    for (const group of groups.sort()) rows.push(...(await describeConsumerLag(admin, group)));
    console.log(rows.length > 0 ? formatLagTable(rows) : 'no committed offsets for the group(s)');
  } finally {
    await admin.onApplicationShutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigValidationError ? error.message : ((error as Error).message ?? error));
  process.exit(1);
});

import { parseArgs } from 'node:util';
import { Logger } from '@nestjs/common';
import { BaseConfig, ConfigValidationError, loadConfig } from '@redpacket/config';
import { createKafkaClient, KafkaAdmin, kafkaCredentialsOf, kafkaTlsOf } from '@redpacket/kafka';
import { describeConsumerLag, formatLagTable, type LagRow } from '@redpacket/monitoring';

const USAGE = 'usage: npm run lag -- [--group GROUP]   (every consumer group when no group is given)';

/** Prints consumer lag the way `kafka-consumer-groups.sh --describe` does. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { group: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) return void console.log(USAGE);
  // It reaches Kafka only: the database settings every app shares are filled in, never used.
  const config = loadConfig(BaseConfig, {
    DATABASE_URL: 'postgres://unused',
    DATABASE_ALLOW_PLAINTEXT: 'true',
    ...process.env,
  });
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: 'redpacket-lag',
    logger: new Logger('lag'),
    logLevel: 'error',
    sasl: kafkaCredentialsOf(config),
    tls: kafkaTlsOf(config),
  });
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

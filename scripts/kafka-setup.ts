import { Logger } from '@nestjs/common';
import { BaseConfig, ConfigValidationError, loadConfig } from '@redpacket/config';
import {
  createKafkaClient,
  ensureTopics,
  grantSystemAccess,
  kafkaCredentialsOf,
  kafkaTlsOf,
  systemTopics,
} from '@redpacket/kafka';

/**
 * What an operator does once per environment, as the broker's super user (KAFKA_SASL_USERNAME and
 * KAFKA_SASL_PASSWORD): creates the system's topics in KAFKA_NAMESPACE and grants each app its ACLs.
 * Running it again changes nothing. docker-compose.yml runs it as the kafka-setup service.
 */
async function main(): Promise<void> {
  // It reaches Kafka only: the database settings every app shares are filled in, never used.
  const config = loadConfig(BaseConfig, {
    DATABASE_URL: 'postgres://unused',
    DATABASE_ALLOW_PLAINTEXT: 'true',
    ...process.env,
  });
  const kafka = createKafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: 'redpacket-kafka-setup',
    logger: new Logger('kafka-setup'),
    logLevel: 'error',
    sasl: kafkaCredentialsOf(config),
    tls: kafkaTlsOf(config),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, systemTopics(config));
    console.log(created.length > 0 ? `created topics: ${created.join(', ')}` : 'topics exist');
    const rules = await grantSystemAccess(admin, config.KAFKA_NAMESPACE);
    for (const rule of rules) console.log(`allow ${rule.principal} ${rule.operation} ${rule.resource} ${rule.name}`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigValidationError ? error.message : ((error as Error).message ?? error));
  process.exit(1);
});

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDevelopmentCertificates } from '../../testkit/infra/dev-certificates';
import { developmentCredentials, kafkaToolsCommandConfig } from '../../testkit/infra/kafka-users';
import {
  DEFAULT_KAFKA_BASE_PORT,
  isKafkaReachable,
  kafkaNodeSpecs,
  stopLocalKafka,
} from '../../testkit/infra/local-kafka';
import { isPostgresReachable, stopThrowawayPostgres } from '../../testkit/infra/local-postgres';
import {
  clearState,
  localStateDir,
  provisionInfrastructure,
  readState,
  saveState,
} from '../../testkit/infra/provision';

const USAGE = 'usage: infra <up|down|status> [--cluster] [--kafka-version 3.9.1]';
/** The broker's super user as Kafka's command-line tools take it (`--command-config`). */
const ADMIN_PROPERTIES = 'kafka-admin.properties';

async function up(cluster: boolean, kafkaVersion: string | undefined): Promise<void> {
  const infra = await provisionInfrastructure({ cluster, kafkaVersion });
  if (infra.mode === 'testcontainers') {
    printEnv(infra.kafkaBrokers, infra.databaseUrl);
    console.log('containers are up; press Ctrl-C to stop them');
    await new Promise<void>((resolve) => process.once('SIGINT', resolve));
    await infra.stop();
    return;
  }
  if (infra.mode === 'local') {
    saveState(localStateDir(), { kafkaBrokers: infra.kafkaBrokers, databaseUrl: infra.databaseUrl, cluster });
    // For Kafka's own tools (kafka-consumer-groups and the rest): see "Consumer lag" in docs/operations.md.
    writeFileSync(
      join(localStateDir(), ADMIN_PROPERTIES),
      kafkaToolsCommandConfig(developmentCredentials('admin'), ensureDevelopmentCertificates().caFile),
    );
  }
  printEnv(infra.kafkaBrokers, infra.databaseUrl, infra.kafkaCaFile);
}

async function down(): Promise<void> {
  await stopLocalKafka(
    localStateDir(),
    kafkaNodeSpecs(3, Number(process.env.KAFKA_LOCAL_PORT ?? DEFAULT_KAFKA_BASE_PORT)),
  );
  await stopThrowawayPostgres(localStateDir());
  clearState(localStateDir());
  rmSync(join(localStateDir(), ADMIN_PROPERTIES), { force: true });
  console.log('local infrastructure stopped');
}

async function status(): Promise<void> {
  const state = readState(localStateDir());
  if (!state) {
    console.log('no local infrastructure recorded (run npm run infra:up)');
    process.exitCode = 1;
    return;
  }
  const kafka = await isKafkaReachable(state.kafkaBrokers);
  const postgres = await isPostgresReachable(state.databaseUrl);
  console.log(
    `kafka    ${state.kafkaBrokers.join(',')}  ${kafka ? 'up' : 'DOWN'}${state.cluster ? '  (3-broker cluster)' : ''}`,
  );
  console.log(`postgres ${state.databaseUrl}  ${postgres ? 'up' : 'DOWN'}`);
  if (!kafka || !postgres) process.exitCode = 1;
}

function printEnv(kafkaBrokers: string[], databaseUrl: string, kafkaCaFile?: string): void {
  console.log(`export KAFKA_BROKERS=${kafkaBrokers.join(',')}`);
  console.log(`export DATABASE_URL=${databaseUrl}`);
  if (kafkaCaFile) console.log(`export KAFKA_SSL_CA_FILE=${kafkaCaFile}`);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { cluster: { type: 'boolean', default: false }, 'kafka-version': { type: 'string' } },
  });
  switch (positionals[0]) {
    case 'up':
      return up(values.cluster ?? false, values['kafka-version']);
    case 'down':
      return down();
    case 'status':
      return status();
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

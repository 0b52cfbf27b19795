import { existsSync } from 'node:fs';
import { warmUpKafka } from './local-kafka';

/** A cheap check before loading testcontainers: is there any Docker endpoint to talk to? */
export function dockerEndpointConfigured(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

export interface StartedContainers {
  kafkaBrokers: string[];
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * Postgres and a KRaft Kafka in containers, or `undefined` when no container runtime works
 * (testcontainers throws "Could not find a working container runtime strategy").
 */
export async function tryStartContainers(log: (message: string) => void): Promise<StartedContainers | undefined> {
  if (!dockerEndpointConfigured()) return undefined;
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    log(`no working container runtime (${(error as Error).message.split('\n')[0]}); using local processes`);
    return undefined;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const [postgres, kafka] = await Promise.all([
    new PostgreSqlContainer('postgres:17-alpine').withUsername('postgres').withPassword('postgres').start(),
    new KafkaContainer('confluentinc/cp-kafka:7.9.1')
      .withKraft()
      .withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' })
      .start(),
  ]);
  const databaseUrl = `postgres://postgres:postgres@${postgres.getHost()}:${postgres.getPort()}/postgres`;
  const kafkaBrokers = [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`];
  await warmUpKafka(kafkaBrokers, 1, null, undefined, false); // the container's broker is open: no users, no TLS
  return {
    kafkaBrokers,
    databaseUrl,
    stop: async () => {
      await Promise.all([kafka.stop(), postgres.stop()]);
    },
  };
}

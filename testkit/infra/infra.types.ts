import type { KafkaCredentials } from '@redpacket/kafka';

export type InfraMode = 'external' | 'testcontainers' | 'local';

/** What every caller (jest globalSetup, the infra CLI, the e2e harness) needs to reach the stack. */
export interface Infrastructure {
  mode: InfraMode;
  kafkaBrokers: string[];
  /** The broker's super user, when it authenticates clients (the local broker always does). */
  kafkaAdmin?: KafkaCredentials;
  /** The CA the broker's certificate verifies against (PEM file): clients speak TLS. None: plaintext. */
  kafkaCaFile?: string;
  /** The broker has the development users (one per app, `testkit/infra/kafka-users.ts`): a local broker. */
  developmentKafkaUsers?: boolean;
  /** Server-level Postgres URL; callers create their own databases on it. */
  databaseUrl: string;
  /** Stops whatever this call started; a no-op for external infrastructure. */
  stop(): Promise<void>;
}

export interface ProvisionOptions {
  /** Three KRaft brokers (RF=3, min.insync.replicas=2) instead of one. */
  cluster?: boolean;
  kafkaVersion?: string;
  /** Where local process data, logs and pid files live (ignored by git). */
  stateDir?: string;
  log?: (message: string) => void;
}

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tryStartContainers } from './containers';
import type { KafkaCredentials } from '@redpacket/kafka';
import type { Infrastructure, ProvisionOptions } from './infra.types';
import {
  DEFAULT_KAFKA_BASE_PORT,
  DEFAULT_KAFKA_VERSION,
  isJavaAvailable,
  isKafkaReachable,
  startLocalKafka,
} from './local-kafka';
import { ensureDevelopmentCertificates } from './dev-certificates';
import { developmentCredentials } from './kafka-users';
import { DEFAULT_DATABASE_URL, isPostgresReachable, startThrowawayPostgres } from './local-postgres';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.infra', 'run');

/** The Kafka port a local stack starts on: KAFKA_LOCAL_PORT, or 19092. */
export function localKafkaPort(): number {
  return Number(process.env.KAFKA_LOCAL_PORT ?? DEFAULT_KAFKA_BASE_PORT);
}

/**
 * Where a local stack keeps its brokers' folders and state: one folder per Kafka port, so a stack started
 * on another port (a test run beside a running one) never formats the folders of a broker still running.
 */
export function localStateDir(port = localKafkaPort()): string {
  return port === DEFAULT_KAFKA_BASE_PORT ? DEFAULT_STATE_DIR : `${DEFAULT_STATE_DIR}-${port}`;
}
const STATE_FILE = 'state.json';

interface SavedState {
  kafkaBrokers: string[];
  databaseUrl: string;
  cluster: boolean;
}

/**
 * The one way every caller gets infrastructure, in order of preference:
 * 1. KAFKA_BROKERS and DATABASE_URL from the environment (or a stack left up by `npm run infra:up`);
 * 2. containers, when a Docker engine answers;
 * 3. local processes: Kafka from its Maven Central jars, Postgres on 127.0.0.1:5432 or a throw-away cluster.
 */
export async function provisionInfrastructure(options: ProvisionOptions = {}): Promise<Infrastructure> {
  const log = options.log ?? ((message: string) => console.log(`[infra] ${message}`));
  const stateDir = options.stateDir ?? localStateDir();
  const cluster = options.cluster ?? false;

  const { KAFKA_BROKERS, DATABASE_URL } = process.env;
  if (KAFKA_BROKERS && DATABASE_URL) {
    const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = process.env;
    return {
      ...external(KAFKA_BROKERS.split(','), DATABASE_URL, username && password ? { username, password } : undefined),
      kafkaCaFile: process.env.KAFKA_SSL_CA_FILE || undefined,
    };
  }
  const saved = await reusableState(stateDir, cluster);
  if (saved) {
    log(`reusing the stack started by infra:up (${saved.kafkaBrokers.join(',')})`);
    return {
      ...external(saved.kafkaBrokers, saved.databaseUrl, developmentCredentials('admin')),
      kafkaCaFile: ensureDevelopmentCertificates().caFile,
      developmentKafkaUsers: true,
    };
  }

  if (!cluster) {
    const containers = await tryStartContainers(log);
    if (containers) return { mode: 'testcontainers', ...containers };
  }

  if (!(await isJavaAvailable())) {
    throw new Error(
      'No infrastructure available: set KAFKA_BROKERS and DATABASE_URL, or install Docker, ' +
        'or install Java 17+ and Maven (apt install openjdk-17-jre-headless maven) so Kafka can run from its jars.',
    );
  }
  mkdirSync(stateDir, { recursive: true });
  const kafka = await startLocalKafka({
    version: options.kafkaVersion ?? process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION,
    brokerCount: cluster ? 3 : 1,
    basePort: localKafkaPort(),
    stateDir,
    log,
  });
  const defaultUrl = DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const postgres = (await isPostgresReachable(defaultUrl))
    ? { url: defaultUrl, stop: async () => undefined }
    : await startThrowawayPostgres(stateDir);
  return {
    mode: 'local',
    kafkaBrokers: kafka.brokers,
    kafkaAdmin: developmentCredentials('admin'),
    kafkaCaFile: ensureDevelopmentCertificates().caFile,
    developmentKafkaUsers: true,
    databaseUrl: postgres.url,
    stop: async () => {
      await kafka.stop();
      await postgres.stop();
    },
  };
}

function external(kafkaBrokers: string[], databaseUrl: string, kafkaAdmin?: KafkaCredentials): Infrastructure {
  return { mode: 'external', kafkaBrokers, kafkaAdmin, databaseUrl, stop: async () => undefined };
}

async function reusableState(stateDir: string, cluster: boolean): Promise<SavedState | undefined> {
  const file = join(stateDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
  if (state.cluster !== cluster) return undefined;
  const alive = (await isKafkaReachable(state.kafkaBrokers)) && (await isPostgresReachable(state.databaseUrl));
  return alive ? state : undefined;
}

/**
 * Points this process (and every child it spawns) at the stack, as the broker's super user where it
 * authenticates: tests, the demo and the benchmark harness run their helpers so, and start each app as its own.
 */
export function exportInfrastructureEnv(infra: Infrastructure, databaseUrl: string): void {
  Object.assign(process.env, { DATABASE_URL: databaseUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(',') });
  if (infra.kafkaCaFile) process.env.KAFKA_SSL_CA_FILE = infra.kafkaCaFile;
  if (infra.kafkaAdmin) {
    process.env.KAFKA_SASL_USERNAME = infra.kafkaAdmin.username;
    process.env.KAFKA_SASL_PASSWORD = infra.kafkaAdmin.password;
  }
}

export function saveState(stateDir: string, state: SavedState): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

export function readState(stateDir: string): SavedState | undefined {
  const file = join(stateDir, STATE_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SavedState) : undefined;
}

export function clearState(stateDir: string): void {
  rmSync(join(stateDir, STATE_FILE), { force: true });
}

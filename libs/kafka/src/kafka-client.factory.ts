import { readFileSync } from 'node:fs';
import type { LoggerService } from '@nestjs/common';
import type { BaseConfig } from '@redpacket/config';
import { type ISocketFactory, Kafka, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { kafkaLogCreator, toKafkaLogLevel } from './kafka-logger';
import { patchKafkajs } from './kafkajs-patches';

/** A principal's SCRAM credentials. */
export interface KafkaCredentials {
  mechanism?: 'scram-sha-512' | 'scram-sha-256';
  username: string;
  password: string;
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: LoggerService;
  logLevel?: string;
  retry?: KafkaConfig['retry'];
  /** Authenticate as this principal; without it the client connects anonymously. */
  sasl?: KafkaCredentials;
  /** Speak TLS, verifying the brokers with these CAs (PEM), or with the system's when none is given. */
  tls?: { ca?: string };
  /** Opens the client's connections; kafkajs's own (TCP, or TLS with `tls`) when not given. */
  socketFactory?: ISocketFactory;
}

export function createKafkaClient(options: KafkaClientOptions): Kafka {
  patchKafkajs();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: toKafkaLogLevel(options.logLevel ?? 'info'),
    logCreator: kafkaLogCreator(options.logger),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: options.retry ?? { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
    sasl: saslOptions(options.sasl),
    ssl: options.tls && (options.tls.ca ? { ca: [options.tls.ca] } : true),
    ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
  });
}

/** The clients' TLS from the configuration: KAFKA_SSL_CA_FILE's CA, the system's with KAFKA_SSL, or none. */
export function kafkaTlsOf(config: Pick<BaseConfig, 'KAFKA_SSL' | 'KAFKA_SSL_CA_FILE'>): { ca?: string } | undefined {
  if (config.KAFKA_SSL_CA_FILE) return { ca: readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8') };
  return config.KAFKA_SSL ? {} : undefined;
}

/** kafkajs's SASL settings for a principal (SCRAM-SHA-512 unless told). */
export function saslOptions(credentials: KafkaCredentials | undefined): SASLOptions | undefined {
  if (!credentials) return undefined;
  const { username, password } = credentials;
  return credentials.mechanism === 'scram-sha-256'
    ? { mechanism: 'scram-sha-256', username, password }
    : { mechanism: 'scram-sha-512', username, password };
}

/** The app's principal from its configuration, or none when the broker is open. */
export function kafkaCredentialsOf(
  config: Pick<BaseConfig, 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD'>,
): KafkaCredentials | undefined {
  if (config.KAFKA_SASL_USERNAME === undefined || config.KAFKA_SASL_PASSWORD === undefined) return undefined;
  return {
    mechanism: config.KAFKA_SASL_MECHANISM,
    username: config.KAFKA_SASL_USERNAME,
    password: config.KAFKA_SASL_PASSWORD,
  };
}

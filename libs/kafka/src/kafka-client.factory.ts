import type { LoggerService } from '@nestjs/common';
import { Kafka, type KafkaConfig } from 'kafkajs';
import { kafkaLogCreator, toKafkaLogLevel } from './kafka-logger';
import { patchKafkajs } from './kafkajs-patches';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: LoggerService;
  logLevel?: string;
  retry?: KafkaConfig['retry'];
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
  });
}

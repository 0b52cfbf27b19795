import { TEST_EVENT_SIGNER } from './event-keys';
import { Logger, type LoggerService } from '@nestjs/common';
import { OutboxRelay, outboxLocation } from '@redpacket/outbox';
import type { DataSource } from 'typeorm';
import { testProducer } from './kafka.helpers';

/** A relay of the test's own for a service's outbox, started and stopped when the test says so. */
export function relayFor(
  dataSource: DataSource,
  options: {
    brokers?: string[];
    batchSize?: number;
    maxBatchSize?: number;
    pipelineDepth?: number;
    schema?: string;
    databaseUrl?: string;
    logger?: LoggerService;
  } = {},
) {
  const producer = testProducer({ retries: 2, brokers: options.brokers });
  const relay = new OutboxRelay(
    dataSource,
    producer,
    {
      location: outboxLocation(options.schema ?? 'ordering'),
      databaseUrl: options.databaseUrl ?? process.env.DATABASE_URL ?? '',
      batchSize: options.batchSize ?? 50,
      maxBatchSize: options.maxBatchSize,
      pipelineDepth: options.pipelineDepth,
      // The order service's relay signs what it publishes, with the key the test's reward service trusts.
      signer: (options.schema ?? 'ordering') === 'ordering' ? TEST_EVENT_SIGNER : undefined,
    },
    options.logger ?? new Logger('TestRelay'),
  );
  return {
    relay,
    start: async () => {
      await producer.connect();
      await relay.start();
    },
    stop: async () => {
      await relay.stop();
      await producer.disconnect();
    },
  };
}

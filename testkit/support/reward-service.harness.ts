import { SIGNED_EVENTS_ENV } from './event-keys';
import { createValidationPipe } from '@redpacket/platform';
import type { EventProducer } from '@redpacket/kafka';
import { GrantOnceService, OrderPurchasedConsumer } from '@redpacket/rewards';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { RewardServiceConfig } from '../../apps/reward-service/src/reward-service.config';
import { RewardServiceModule } from '../../apps/reward-service/src/reward-service.module';
import { bootInProcess, type InProcessApp } from './in-process-app';
import { testProducer } from './kafka.helpers';

export interface RewardServiceUnderTest extends InProcessApp {
  dataSource: DataSource;
  grants: GrantOnceService;
  consumer: OrderPurchasedConsumer;
}

/** The reward service in this process, consuming from the real broker into the real database. */
export async function startRewardService(env: Record<string, string>): Promise<RewardServiceUnderTest> {
  const booted = await bootInProcess(
    {
      name: 'reward-service',
      config: RewardServiceConfig,
      module: (c) => RewardServiceModule.register(c),
      configure: (app) => {
        app.useGlobalPipes(createValidationPipe());
      },
    },
    { EVENT_VERIFY_KEYS: SIGNED_EVENTS_ENV.EVENT_VERIFY_KEYS, ...env },
  );
  return {
    ...booted,
    dataSource: booted.app.get(DataSource),
    grants: booted.app.get(GrantOnceService),
    consumer: booted.app.get(OrderPurchasedConsumer),
  };
}

/** Only the grant path (no consumer, no relay), with room for many optimistic retries under contention. */
export function startGrantPath(namespace: string): Promise<RewardServiceUnderTest> {
  return startRewardService({
    KAFKA_NAMESPACE: namespace,
    REWARD_CONSUMER_ENABLED: 'false',
    OUTBOX_RELAY_ENABLED: 'false',
    REWARD_MAX_OPTIMISTIC_ATTEMPTS: '50',
  });
}

/** The reward service consuming its namespace's topic, with the test's own producer and admin client. */
export interface ConsumingRewardService {
  service: RewardServiceUnderTest;
  producer: EventProducer;
  admin: Admin;
  close(): Promise<void>;
}

export async function startConsumingRewardService(
  kafka: Kafka,
  env: Record<string, string>,
): Promise<ConsumingRewardService> {
  const service = await startRewardService({ OUTBOX_RELAY_ENABLED: 'false', ...env });
  const producer = testProducer();
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  return {
    service,
    producer,
    admin,
    close: async () => {
      await service.close();
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    },
  };
}

import { GrantOnceService, OrderPurchasedConsumer } from '@redpacket/rewards';
import { DataSource } from 'typeorm';
import { RewardServiceConfig } from '../../apps/reward-service/src/reward-service.config';
import { RewardServiceModule } from '../../apps/reward-service/src/reward-service.module';
import { bootInProcess, type InProcessApp } from './in-process-app';

export interface RewardServiceUnderTest extends InProcessApp {
  dataSource: DataSource;
  grants: GrantOnceService;
  consumer: OrderPurchasedConsumer;
}

/** The reward service in this process, consuming from the real broker into the real database. */
export async function startRewardService(env: Record<string, string>): Promise<RewardServiceUnderTest> {
  const booted = await bootInProcess(
    { name: 'reward-service', config: RewardServiceConfig, module: (c) => RewardServiceModule.register(c) },
    env,
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

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '@redpacket/platform';
import { GrantOnceService, OrderPurchasedConsumer } from '@redpacket/rewards';
import { DataSource } from 'typeorm';
import { RewardServiceConfig } from '../../apps/reward-service/src/reward-service.config';
import { RewardServiceModule } from '../../apps/reward-service/src/reward-service.module';
import { withEnv } from './env';

export interface RewardServiceUnderTest {
  app: NestFastifyApplication;
  dataSource: DataSource;
  grants: GrantOnceService;
  consumer: OrderPurchasedConsumer;
  close(): Promise<void>;
}

/** The reward service in this process, consuming from the real broker into the real database. */
export async function startRewardService(env: Record<string, string>): Promise<RewardServiceUnderTest> {
  const { app } = await withEnv({ LOG_LEVEL: 'warn', ...env }, () =>
    createApp({ name: 'reward-service', config: RewardServiceConfig, module: (c) => RewardServiceModule.register(c) }),
  );
  await app.init().catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  return {
    app,
    dataSource: app.get(DataSource),
    grants: app.get(GrantOnceService),
    consumer: app.get(OrderPurchasedConsumer),
    close: () => app.close(),
  };
}

import 'reflect-metadata';
import { createValidationPipe, runApp } from '@redpacket/platform';
import { RewardServiceConfig } from './reward-service.config';
import { RewardServiceModule } from './reward-service.module';

void runApp({
  name: 'reward-service',
  module: (config) => RewardServiceModule.register(config),
  config: RewardServiceConfig,
  configure: (app) => {
    app.useGlobalPipes(createValidationPipe());
  },
});

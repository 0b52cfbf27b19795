import 'reflect-metadata';
import { createValidationPipe, runApp } from '@redpacket/platform';
import { ReconcilerConfig } from './reconciler.config';
import { ReconcilerModule } from './reconciler.module';

void runApp({
  name: 'reconciler',
  module: (config) => ReconcilerModule.register(config),
  config: ReconcilerConfig,
  configure: (app) => {
    app.useGlobalPipes(createValidationPipe());
  },
});

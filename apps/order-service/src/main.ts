import 'reflect-metadata';
import { runApp } from '@redpacket/platform';
import { configureOrderService, ORDER_BODY_LIMIT_BYTES } from './configure-order-service';
import { OrderServiceConfig } from './order-service.config';
import { OrderServiceModule } from './order-service.module';

void runApp({
  name: 'order-service',
  module: (config) => OrderServiceModule.register(config),
  config: OrderServiceConfig,
  configure: configureOrderService,
  bodyLimitBytes: ORDER_BODY_LIMIT_BYTES,
});

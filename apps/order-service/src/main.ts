import 'reflect-metadata';
import { runApp } from '@redpacket/platform';
import { OrderServiceConfig } from './order-service.config';
import { OrderServiceModule } from './order-service.module';

void runApp({ name: 'order-service', module: OrderServiceModule, config: OrderServiceConfig });

import { Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { HealthModule } from '@redpacket/platform';
import { OrderServiceConfig } from './order-service.config';

@Module({
  imports: [
    ConfigModule.forRoot(OrderServiceConfig),
    DatabaseModule.forRoot([], 'order-service'),
    KafkaModule,
    HealthModule,
  ],
})
export class OrderServiceModule {}

import { Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { HealthModule } from '@redpacket/platform';
import { RewardServiceConfig } from './reward-service.config';

@Module({
  imports: [
    ConfigModule.forRoot(RewardServiceConfig),
    DatabaseModule.forRoot([], 'reward-service'),
    KafkaModule,
    HealthModule,
  ],
})
export class RewardServiceModule {}

import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { HealthModule } from '@redpacket/platform';
import { RewardServiceConfig } from './reward-service.config';

@Module({})
export class RewardServiceModule {
  static register(config: RewardServiceConfig): DynamicModule {
    return {
      module: RewardServiceModule,
      imports: [
        ConfigModule.forRoot(RewardServiceConfig, config),
        DatabaseModule.forRoot([], 'reward-service'),
        KafkaModule,
        HealthModule,
      ],
    };
  }
}

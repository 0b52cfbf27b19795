import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { HealthModule } from '@redpacket/platform';
import { MonitorConfig } from './monitor.config';

@Module({})
export class MonitorModule {
  static register(config: MonitorConfig): DynamicModule {
    return {
      module: MonitorModule,
      imports: [
        ConfigModule.forRoot(MonitorConfig, config),
        DatabaseModule.forRoot([], 'monitor'),
        KafkaModule,
        HealthModule,
      ],
    };
  }
}

import { Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { HealthModule } from '@redpacket/platform';
import { MonitorConfig } from './monitor.config';

@Module({
  imports: [ConfigModule.forRoot(MonitorConfig), DatabaseModule.forRoot([], 'monitor'), KafkaModule, HealthModule],
})
export class MonitorModule {}

import { Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { HealthModule } from '@redpacket/platform';
import { ReconcilerConfig } from './reconciler.config';

@Module({
  imports: [
    ConfigModule.forRoot(ReconcilerConfig),
    DatabaseModule.forRoot([], 'reconciler'),
    KafkaModule,
    HealthModule,
  ],
})
export class ReconcilerModule {}

import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { HealthModule } from '@redpacket/platform';
import { ReconcilerConfig } from './reconciler.config';

@Module({})
export class ReconcilerModule {
  static register(config: ReconcilerConfig): DynamicModule {
    return {
      module: ReconcilerModule,
      imports: [
        ConfigModule.forRoot(ReconcilerConfig, config),
        DatabaseModule.forRoot([], 'reconciler'),
        KafkaModule,
        HealthModule,
      ],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaModule } from '@redpacket/kafka';
import { MetricsModule } from '@redpacket/observability';
import { CONSUMER_GROUPS, namespaced } from '@redpacket/contracts';
import { OrderTimelines } from '@redpacket/monitoring';
import { HealthModule, READINESS_CHECK } from '@redpacket/platform';
import { DataSource } from 'typeorm';
import { OrderTimelineController } from './order-timeline.controller';
import { LivePageController } from './live-page.controller';
import { MonitorConfig } from './monitor.config';
import { SystemWatch } from './system-watch.service';

/** Watches the running system: consumer lag, outbox backlog, probes; serves the live page. */
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
        MetricsModule,
      ],
      controllers: [LivePageController, OrderTimelineController],
      providers: [
        SystemWatch,
        { provide: READINESS_CHECK, useExisting: SystemWatch },
        {
          provide: OrderTimelines,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new OrderTimelines(dataSource, namespaced(config.KAFKA_NAMESPACE, CONSUMER_GROUPS.rewardService)),
        },
      ],
    };
  }
}

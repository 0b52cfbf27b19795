import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigModule } from '@redpacket/config';
import { DatabaseModule } from '@redpacket/database';
import { KafkaAdmin, KafkaClients, KafkaModule, SystemTopicsBootstrap } from '@redpacket/kafka';
import { Metrics, MetricsModule } from '@redpacket/observability';
import { CONSUMER_GROUPS, namespaced, TOPICS } from '@redpacket/contracts';
import {
  LagWatch,
  OrderServiceProbes,
  OrderTimelines,
  LedgerCounters,
  OutboxWatch,
  probeAlertOptions,
  ProbeWatch,
  ReconciliationWatch,
  RuleWatch,
} from '@redpacket/monitoring';
import { outboxLocation } from '@redpacket/outbox';
import { RewardRulesRepository } from '@redpacket/rewards';
import { HealthModule, READINESS_CHECK } from '@redpacket/platform';
import { DataSource } from 'typeorm';
import { OrderTimelineController } from './order-timeline.controller';
import { LivePageController } from './live-page.controller';
import { MonitorConfig } from './monitor.config';
import { SystemWatch } from './system-watch.service';

/**
 * Watches the running system: its parts are the watchers of libs/monitoring (consumer lag, outbox
 * backlog, the reconciler's findings, reward rules, probes), composed by SystemWatch; it serves the
 * live page and the order timeline.
 */
@Module({})
export class MonitorModule {
  static register(config: MonitorConfig): DynamicModule {
    const rewardGroup = namespaced(config.KAFKA_NAMESPACE, CONSUMER_GROUPS.rewardService);
    const readerGroup = namespaced(config.KAFKA_NAMESPACE, CONSUMER_GROUPS.monitor);
    const logger = new Logger(SystemWatch.name);
    return {
      module: MonitorModule,
      imports: [
        ConfigModule.forRoot({ configClass: MonitorConfig, loaded: config }),
        DatabaseModule.forRoot({ applicationName: 'monitor' }),
        KafkaModule,
        HealthModule,
        MetricsModule,
      ],
      controllers: [LivePageController, OrderTimelineController],
      providers: [
        {
          provide: LagWatch,
          inject: [KafkaAdmin, Metrics],
          useFactory: (admin: KafkaAdmin, metrics: Metrics) =>
            new LagWatch(admin, metrics, logger, [rewardGroup, readerGroup], config.MONITOR_STALL_AFTER_MS),
        },
        {
          provide: OutboxWatch,
          inject: [DataSource, Metrics],
          useFactory: (dataSource: DataSource, metrics: Metrics) =>
            new OutboxWatch(dataSource, metrics, [outboxLocation('ordering').table, outboxLocation('rewards').table]),
        },
        {
          provide: LedgerCounters,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new LedgerCounters(dataSource),
        },
        {
          provide: ReconciliationWatch,
          inject: [DataSource, Metrics],
          useFactory: (dataSource: DataSource, metrics: Metrics) =>
            new ReconciliationWatch(dataSource, metrics, logger),
        },
        RewardRulesRepository,
        {
          provide: RuleWatch,
          inject: [RewardRulesRepository],
          useFactory: (rules: RewardRulesRepository) => new RuleWatch(rules, logger),
        },
        {
          provide: ProbeWatch,
          inject: [KafkaClients, SystemTopicsBootstrap, Metrics],
          useFactory: (clients: KafkaClients, topics: SystemTopicsBootstrap, metrics: Metrics) =>
            new ProbeWatch(
              clients,
              topics,
              new OrderServiceProbes(config.ORDER_SERVICE_URL, config.probeWriteToken()),
              metrics,
              {
                topic: namespaced(config.KAFKA_NAMESPACE, TOPICS.orderPurchased),
                readerGroup,
                intervalMs: config.PROBE_INTERVAL_MS,
                alerts: probeAlertOptions(config),
              },
            ),
        },
        SystemWatch,
        { provide: READINESS_CHECK, useExisting: SystemWatch },
        {
          provide: OrderTimelines,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new OrderTimelines(dataSource, rewardGroup),
        },
      ],
    };
  }
}

import { Global, Logger, Module } from '@nestjs/common';
import { BaseConfig } from '@redpacket/config';
import { Kafka } from 'kafkajs';
import { KafkaAdmin } from './kafka-admin.service';
import { createKafkaClient, kafkaCredentialsOf } from './kafka-client.factory';
import { SystemTopicsBootstrap } from './system-topics';

@Global()
@Module({
  providers: [
    {
      provide: Kafka,
      inject: [BaseConfig],
      useFactory: (config: BaseConfig) =>
        createKafkaClient({
          brokers: config.KAFKA_BROKERS,
          clientId: config.KAFKA_CLIENT_ID,
          logger: new Logger('Kafka'),
          logLevel: config.LOG_LEVEL,
          sasl: kafkaCredentialsOf(config),
        }),
    },
    KafkaAdmin,
    SystemTopicsBootstrap,
  ],
  exports: [Kafka, KafkaAdmin],
})
export class KafkaModule {}

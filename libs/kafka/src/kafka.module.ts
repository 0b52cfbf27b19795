import { Global, Logger, Module } from '@nestjs/common';
import { BaseConfig } from '@redpacket/config';
import { Kafka } from 'kafkajs';
import { KafkaReachability } from './connection/kafka-reachability';
import { KafkaAdmin } from './kafka-admin.service';
import { createKafkaClient, type KafkaClientOptions, kafkaCredentialsOf, kafkaTlsOf } from './kafka-client.factory';
import { KafkaClients } from './producer/kafka-clients';
import { SystemTopicsBootstrap } from './system-topics';

const KAFKA_CLIENT_OPTIONS = Symbol('KAFKA_CLIENT_OPTIONS');

@Global()
@Module({
  providers: [
    {
      provide: KAFKA_CLIENT_OPTIONS,
      inject: [BaseConfig],
      useFactory: (config: BaseConfig): KafkaClientOptions => ({
        brokers: config.KAFKA_BROKERS,
        clientId: config.KAFKA_CLIENT_ID,
        logger: new Logger('Kafka'),
        logLevel: config.LOG_LEVEL,
        sasl: kafkaCredentialsOf(config),
        tls: kafkaTlsOf(config),
      }),
    },
    { provide: Kafka, inject: [KAFKA_CLIENT_OPTIONS], useFactory: createKafkaClient },
    {
      provide: KafkaClients,
      inject: [BaseConfig, KAFKA_CLIENT_OPTIONS, Kafka],
      useFactory: (config: BaseConfig, options: KafkaClientOptions, kafka: Kafka) =>
        new KafkaClients(config.KAFKA_CLIENT, options, kafka),
    },
    KafkaAdmin,
    {
      provide: KafkaReachability,
      inject: [KAFKA_CLIENT_OPTIONS],
      useFactory: (options: KafkaClientOptions) => new KafkaReachability(options),
    },
    SystemTopicsBootstrap,
  ],
  exports: [Kafka, KafkaClients, KafkaAdmin, KafkaReachability, SystemTopicsBootstrap],
})
export class KafkaModule {}

import { existsSync } from 'node:fs';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import type { AppSettings } from './app.settings';
import type { ConfigConstructor } from './config-constructor';
import { ToBoolean, ToInt, ToList } from './env-transforms';
import { RefusedInProduction } from './production-guard';

export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256'] as const;
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** Adds Kafka: the brokers, the client, its principal, TLS, and the system topics' shape and durability. */
export function WithKafka<Base extends ConfigConstructor<AppSettings>>(base: Base) {
  class KafkaSettings extends base {
    /** The brokers to bootstrap from, comma-separated `host:port`. */
    @ToList()
    @IsArray()
    @ArrayNotEmpty()
    @Matches(/^[\w.-]+:\d{1,5}$/, { each: true, message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
    KAFKA_BROKERS: string[];

    /** The client id the app's Kafka clients send, seen in the brokers' logs and quotas. */
    @IsString()
    @Matches(/^[\w.-]+$/)
    KAFKA_CLIENT_ID = 'redpacket';

    /**
     * The Kafka client library behind libs/kafka's port: `kafkajs` (the default) or `platformatic`
     * (@platformatic/kafka). It chooses every app's idempotent producers and group consumers; admin calls
     * (topics, offsets, lag) use kafkajs either way.
     */
    @IsIn(KAFKA_CLIENTS)
    KAFKA_CLIENT: KafkaClientName = 'kafkajs';

    /**
     * SASL of every Kafka connection: the app's own principal, whose ACLs say what it may read and write.
     * Unset, the app connects without authentication (a development broker); production refuses that.
     */
    @IsIn(KAFKA_SASL_MECHANISMS)
    KAFKA_SASL_MECHANISM: KafkaSaslMechanism = 'scram-sha-512';

    /**
     * The app's Kafka principal (SASL/SCRAM); without it and KAFKA_SASL_PASSWORD the app connects anonymously.
     */
    @ValidateIf(needsKafkaCredentials)
    @IsString({ message: (args: ValidationArguments) => credentialMissing(args, 'KAFKA_SASL_PASSWORD') })
    @Matches(/^[\w.@-]{1,128}$/, { message: 'KAFKA_SASL_USERNAME may hold letters, digits, dots, dashes, @ and _' })
    KAFKA_SASL_USERNAME?: string;

    /** The password of KAFKA_SASL_USERNAME. */
    @ValidateIf(needsKafkaCredentials)
    @IsString({ message: (args: ValidationArguments) => credentialMissing(args, 'KAFKA_SASL_USERNAME') })
    @Length(8, 256, { message: 'KAFKA_SASL_PASSWORD must be 8-256 characters' })
    KAFKA_SASL_PASSWORD?: string;

    /**
     * TLS to the brokers, verifying their certificate: with the system's CAs, or with KAFKA_SSL_CA_FILE's
     * (which turns TLS on by itself). Without either the clients speak plaintext, which production refuses
     * unless KAFKA_ALLOW_PLAINTEXT=true (logged at boot).
     */
    @ToBoolean()
    @IsBoolean()
    @RefusedInProduction(
      (_ssl: unknown, config: KafkaSettings) => !kafkaUsesTls(config) && !config.KAFKA_ALLOW_PLAINTEXT,
      'KAFKA_SSL is off: events and produce requests cross the network in the clear (set KAFKA_SSL or KAFKA_SSL_CA_FILE, or KAFKA_ALLOW_PLAINTEXT=true to accept that, logged at boot)',
    )
    KAFKA_SSL = false;

    /** The CA (PEM file) the brokers' certificates are verified with; `npm run infra:up` prints its own. */
    @IsOptional()
    @IsString()
    @ValidateBy({
      name: 'readableFile',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && existsSync(value),
        defaultMessage: () => 'KAFKA_SSL_CA_FILE must name a readable PEM file',
      },
    })
    KAFKA_SSL_CA_FILE?: string;

    /** The explicit override for brokers reached without TLS (the compose file's single network). */
    @ToBoolean()
    @IsBoolean()
    KAFKA_ALLOW_PLAINTEXT = false;

    /** Prefix for every topic and consumer group name: isolates test runs and environments. */
    @IsOptional()
    @Matches(/^[\w.-]*$/, { message: 'KAFKA_NAMESPACE may hold letters, digits, dots, dashes and underscores' })
    KAFKA_NAMESPACE = '';

    /** Partitions of `order.purchased`, created at boot through the admin API when the topic is missing. */
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(1000)
    ORDER_TOPIC_PARTITIONS = 6;

    /** Copies of every system topic: acks=all waits for the in-sync ones. Production needs 3. */
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(5)
    @RefusedInProduction(
      (factor: unknown, config: KafkaSettings) => (factor as number) < 3 && !config.KAFKA_ALLOW_WEAK_DURABILITY,
      'KAFKA_REPLICATION_FACTOR under 3 keeps an acknowledged event on fewer than three disks (set KAFKA_ALLOW_WEAK_DURABILITY=true to accept that, logged at boot)',
    )
    KAFKA_REPLICATION_FACTOR = 1;

    /**
     * `min.insync.replicas` of every system topic: how many copies an acks=all write needs before it is
     * acknowledged. Defaults to 2 where there are at least 2 copies; at most the replication factor.
     */
    @IsOptional()
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(5)
    @ValidateBy({
      name: 'notAboveReplicationFactor',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          value === undefined || (value as number) <= (args?.object as KafkaSettings).KAFKA_REPLICATION_FACTOR,
        defaultMessage: () =>
          'KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_REPLICATION_FACTOR: no write could succeed',
      },
    })
    @RefusedInProduction(
      (_value: unknown, config: KafkaSettings) => minInsyncReplicas(config) < 2 && !config.KAFKA_ALLOW_WEAK_DURABILITY,
      'KAFKA_MIN_INSYNC_REPLICAS under 2 lets acks=all mean one disk (set KAFKA_ALLOW_WEAK_DURABILITY=true to accept that, logged at boot)',
    )
    KAFKA_MIN_INSYNC_REPLICAS?: number;

    /** The explicit override for a production deployment on fewer than 3 copies or 2 in-sync ones. */
    @ToBoolean()
    @IsBoolean()
    KAFKA_ALLOW_WEAK_DURABILITY = false;
  }
  return KafkaSettings;
}

type KafkaCredentialFields = Pick<AppSettings, 'NODE_ENV'> & {
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
};

/** Production always signs in to Kafka; elsewhere a username and a password come as a pair. */
function needsKafkaCredentials(config: KafkaCredentialFields): boolean {
  return (
    config.NODE_ENV === 'production' ||
    config.KAFKA_SASL_USERNAME !== undefined ||
    config.KAFKA_SASL_PASSWORD !== undefined
  );
}

function credentialMissing(args: ValidationArguments, other: string): string {
  return (args.object as KafkaCredentialFields).NODE_ENV === 'production'
    ? 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required in production: a broker that lets anyone produce lets anyone say an order was purchased'
    : `${args.property} is required with ${other}`;
}

/** The in-sync replicas a system topic requires: the setting, or 2 where there are at least 2 copies. */
export function minInsyncReplicas(config: {
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_MIN_INSYNC_REPLICAS?: number;
}): number {
  return config.KAFKA_MIN_INSYNC_REPLICAS ?? Math.min(2, config.KAFKA_REPLICATION_FACTOR);
}

/** Whether the Kafka clients speak TLS. */
export function kafkaUsesTls(config: { KAFKA_SSL: boolean; KAFKA_SSL_CA_FILE?: string }): boolean {
  return config.KAFKA_SSL || config.KAFKA_SSL_CA_FILE !== undefined;
}

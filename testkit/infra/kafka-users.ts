import type { KafkaCredentials } from '@redpacket/kafka';
import { KAFKA_PRINCIPALS, type KafkaPrincipal } from '@redpacket/kafka';

/**
 * The SCRAM users of a broker started from the jars, with development passwords. The broker listens on
 * loopback only; a real deployment creates its users with passwords of its own (see docs/security.md).
 */
export const DEVELOPMENT_KAFKA_PASSWORDS: Record<KafkaPrincipal, string> = {
  admin: 'redpacket-admin-development-password',
  'order-service': 'order-service-development-password',
  'reward-service': 'reward-service-development-password',
  monitor: 'monitor-development-password',
  reconciler: 'reconciler-development-password',
};

/** The broker's own principal on its controller listener (SASL/PLAIN, declared in the broker's config). */
export const DEVELOPMENT_CONTROLLER_USER = {
  username: 'redpacket-controller',
  password: 'controller-development-password',
};

export function developmentCredentials(principal: KafkaPrincipal): KafkaCredentials {
  return { username: KAFKA_PRINCIPALS[principal], password: DEVELOPMENT_KAFKA_PASSWORDS[principal] };
}

/** The environment that makes an app (or any client) authenticate as `principal`. */
export function developmentKafkaEnv(principal: KafkaPrincipal): Record<string, string> {
  const { username, password } = developmentCredentials(principal);
  return { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password };
}

/**
 * A client properties file for Kafka's own command-line tools (`--command-config`): SCRAM-SHA-512 as
 * `credentials`, over TLS verified with `caFile` (the local brokers' listener), or plaintext without one.
 */
export function kafkaToolsCommandConfig(credentials: KafkaCredentials, caFile?: string): string {
  const { username, password } = credentials;
  return [
    ...(caFile
      ? ['security.protocol=SASL_SSL', 'ssl.truststore.type=PEM', `ssl.truststore.location=${caFile}`]
      : ['security.protocol=SASL_PLAINTEXT']),
    'sasl.mechanism=SCRAM-SHA-512',
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`,
    '',
  ].join('\n');
}

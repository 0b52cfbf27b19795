import type { KafkaClientOptions } from './kafka-client.factory';

/** What a request may take before @platformatic/kafka gives up on it. */
export const PLATFORMATIC_REQUEST_TIMEOUT_MS = 30_000;

/** The connection settings every @platformatic/kafka client of an app shares: brokers, principal, timeouts. */
export function platformaticConnection(options: KafkaClientOptions) {
  return {
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    connectTimeout: 3_000,
    timeout: PLATFORMATIC_REQUEST_TIMEOUT_MS,
    sasl: options.sasl && {
      mechanism: options.sasl.mechanism === 'scram-sha-256' ? ('SCRAM-SHA-256' as const) : ('SCRAM-SHA-512' as const),
      username: options.sasl.username,
      password: options.sasl.password,
    },
  };
}

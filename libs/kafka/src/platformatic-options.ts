import { subscribe } from 'node:diagnostics_channel';
import type { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { KafkaClientOptions } from './kafka-client.factory';

/** What a request may take before @platformatic/kafka gives up on it. */
export const PLATFORMATIC_REQUEST_TIMEOUT_MS = 30_000;

/** The connection settings every @platformatic/kafka client of an app shares: brokers, principal, timeouts. */
export function platformaticConnection(options: KafkaClientOptions) {
  guardConnections();
  return {
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    connectTimeout: 3_000,
    timeout: PLATFORMATIC_REQUEST_TIMEOUT_MS,
    ...(options.tls ? { tls: options.tls.ca ? { ca: options.tls.ca } : {} } : {}),
    sasl: options.sasl && {
      mechanism: options.sasl.mechanism === 'scram-sha-256' ? ('SCRAM-SHA-256' as const) : ('SCRAM-SHA-512' as const),
      username: options.sasl.username,
      password: options.sasl.password,
    },
  };
}

let guarded = false;

/**
 * A @platformatic/kafka 2.12 connection can emit 'error' twice when the network resets it during the
 * SASL handshake, and listens only once: the second emission, with no listener, crashed the process.
 * The library publishes every connection it creates on a diagnostics channel; each gets a listener of
 * its own here, so a repeated error is logged instead. The first one still reaches the library.
 */
function guardConnections(): void {
  if (guarded) return;
  guarded = true;
  const logger = new Logger('PlatformaticKafka');
  subscribe('plt:kafka:instances', (message) => {
    const { type, instance } = message as { type: string; instance: EventEmitter };
    if (type !== 'connection') return;
    instance.on('error', (error: Error) => logger.debug('connection error', { error: error.message }));
  });
}

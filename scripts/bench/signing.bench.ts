import { performance } from 'node:perf_hooks';
import {
  EVENT_HEADERS,
  EventSigner,
  EventVerifier,
  generateEventKeyPair,
  newEventId,
  ORDER_PURCHASED,
  parsePublicKeys,
  privateKeyFrom,
} from '@redpacket/contracts';
import type { BenchOptions } from './bench-options';
import { log, median } from './stats';

export interface SigningResult {
  events: number;
  /** Median over the runs of the CPU time one event's signature costs the relay, in microseconds. */
  signMicros: number;
  /** Median over the runs of what verifying one costs the reward service, in microseconds. */
  verifyMicros: number;
}

/**
 * The cost per event of proving its writer: the order service's relay signs each OrderPurchased
 * (Ed25519, node:crypto), the reward service verifies it. Timed on one core, one event after another,
 * over events shaped as the order service writes them.
 */
export function benchSigning(options: BenchOptions): Promise<SigningResult> {
  const events = options.quick ? 2_000 : 20_000;
  const pair = generateEventKeyPair('bench');
  const signer = new EventSigner('bench', privateKeyFrom(pair.privateKey));
  const verifier = new EventVerifier(parsePublicKeys(pair.publicKeys).keys);
  const messages = Array.from({ length: events }, (_, i) => {
    const eventId = newEventId();
    const value = JSON.stringify({
      eventId,
      orderId: newEventId(),
      userId: `user-${i % 1_000}`,
      itemCount: 3,
      totalCents: 12_345,
      occurredAt: new Date().toISOString(),
    });
    const headers = {
      [EVENT_HEADERS.eventId]: eventId,
      [EVENT_HEADERS.eventType]: ORDER_PURCHASED,
      [EVENT_HEADERS.schemaVersion]: '1',
    };
    return { key: `user-${i % 1_000}`, value, headers };
  });
  const signs: number[] = [];
  const verifies: number[] = [];
  for (let run = 0; run < options.runs; run += 1) {
    let started = performance.now();
    const signed = messages.map((message) => ({
      ...message,
      headers: { ...message.headers, ...signer.headersFor(message) },
    }));
    signs.push(((performance.now() - started) * 1_000) / events);
    started = performance.now();
    for (const message of signed) verifier.check(message);
    verifies.push(((performance.now() - started) * 1_000) / events);
    log(
      `signing run ${run + 1}: sign ${signs.at(-1)?.toFixed(1)} µs, verify ${verifies.at(-1)?.toFixed(1)} µs per event`,
    );
  }
  return Promise.resolve({ events, signMicros: median(signs), verifyMicros: median(verifies) });
}

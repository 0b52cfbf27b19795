/** An error raised while granting a red packet that knows whether retrying the message can help. */
export abstract class GrantError extends Error {
  abstract readonly code: string;
  abstract readonly retriable: boolean;
}

/** Concurrent writers kept winning the version check; another attempt later is expected to get through. */
export class OptimisticConflictExhaustedError extends GrantError {
  override readonly name = 'OptimisticConflictExhaustedError';
  readonly code = 'OPTIMISTIC_CONFLICT_EXHAUSTED';
  readonly retriable = true;

  constructor(readonly attempts: number) {
    super(`Optimistic concurrency conflict persisted after ${attempts} attempts`);
  }
}

/** Database or broker briefly unavailable; the message itself is fine. */
export class TransientInfrastructureError extends GrantError {
  override readonly name = 'TransientInfrastructureError';
  readonly code = 'TRANSIENT_INFRASTRUCTURE';
  readonly retriable = true;

  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export interface ErrorClassification {
  code: string;
  retriable: boolean;
}

/** SQLSTATEs that name a condition of the moment, not of the statement. Class 08 is matched by prefix. */
const RETRIABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);
const CONNECTION_EXCEPTION_CLASS = '08';
const SQLSTATE = /^[0-9A-Z]{5}$/;
const RETRIABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
// pg's wording when the server or the network drops a connection; such errors carry no code.
const CONNECTION_TERMINATED = 'Connection terminated';

/**
 * Decides whether a failed grant should be retried or dead-lettered.
 * Anything unrecognised is retriable: an unknown error must not dead-letter a good message. Only contract
 * violations are known poison, and those arrive as errors that say so themselves (retriable=false).
 */
export function classifyError(error: unknown): ErrorClassification {
  if (!isObject(error)) return unknown();
  if (typeof error.code === 'string' && typeof error.retriable === 'boolean') {
    return { code: error.code, retriable: error.retriable };
  }
  // TypeORM's QueryFailedError keeps the pg error, with its SQLSTATE, in driverError.
  const candidates = isObject(error.driverError) ? [error, error.driverError] : [error];
  for (const candidate of candidates) {
    const classified = classifyByCode(candidate.code);
    if (classified) return classified;
  }
  if (typeof error.retriable === 'boolean' && typeof error.name === 'string' && error.name.startsWith('Kafka')) {
    return { code: error.name, retriable: error.retriable };
  }
  if (candidates.some((candidate) => hasMessageContaining(candidate, CONNECTION_TERMINATED))) {
    return { code: 'CONNECTION_TERMINATED', retriable: true };
  }
  return unknown();
}

function classifyByCode(code: unknown): ErrorClassification | undefined {
  if (typeof code !== 'string') return undefined;
  // Before SQLSTATE: 'EPIPE' is five capitals too.
  if (RETRIABLE_NETWORK_CODES.has(code)) return { code, retriable: true };
  if (SQLSTATE.test(code) && (RETRIABLE_SQLSTATES.has(code) || code.startsWith(CONNECTION_EXCEPTION_CLASS))) {
    return { code: `PG_${code}`, retriable: true };
  }
  return undefined;
}

function hasMessageContaining(candidate: Record<string, unknown>, text: string): boolean {
  return typeof candidate.message === 'string' && candidate.message.includes(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function unknown(): ErrorClassification {
  return { code: 'UNKNOWN', retriable: true };
}

import { ERROR_CODES } from './error-codes';
import { RedpacketError } from './redpacket.error';

export interface ErrorClassification {
  /** One of ERROR_CODES, or derived: PG_<SQLSTATE>, KAFKA_<type>, a network code, CONNECTION_TERMINATED, UNKNOWN. */
  code: string;
  retriable: boolean;
}

/**
 * SQLSTATE classes that are a property of the values sent, so the same message fails the same way
 * every time: 22 data exception (invalid text, out of range, bad encoding such as a NUL byte) and
 * 23 integrity constraint violation. Every conflict the grant expects is absorbed by ON CONFLICT and
 * never raised, so a class 23 error that reaches here is a value the schema refuses.
 */
const POISON_SQLSTATE_CLASSES = new Set(['22', '23']);
const OWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);
const SQLSTATE = /^[0-9A-Z]{5}$/;
const RETRIABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
// pg's wording when the server or the network drops a connection; such errors carry no code.
const CONNECTION_TERMINATED = 'Connection terminated';

/**
 * Decides, from the cause, whether the same work can succeed if tried again.
 * - The system's own errors say so themselves (`RedpacketError`).
 * - Postgres: classes 22 and 23 are poison (the message's values). Every other class is retriable:
 *   connection (08), rollback (40), resources (53) and shutdown (57) are conditions of the moment,
 *   and the rest (42: a missing table or privilege) are properties of the deployment, not of the
 *   message, so the work waits for a fix instead of dead-lettering every message meanwhile.
 * - kafkajs errors carry `retriable`.
 * - Anything unrecognised is retriable: an unknown error must not dead-letter a good message.
 */
export function classifyError(error: unknown): ErrorClassification {
  if (error instanceof RedpacketError) return { code: error.code, retriable: error.retriable };
  if (!isObject(error)) return unknown();
  // One of ours from another copy of the module (a test's own import): trust the declared flag.
  if (OWN_CODES.has(error.code as string) && typeof error.retriable === 'boolean') {
    return { code: error.code as string, retriable: error.retriable };
  }
  // TypeORM's QueryFailedError keeps the pg error, with its SQLSTATE, in driverError.
  const candidates = isObject(error.driverError) ? [error, error.driverError] : [error];
  for (const candidate of candidates) {
    const classified = classifyByCode(candidate.code);
    if (classified) return classified;
  }
  // A kafkajs error, or libs/kafka's KafkaSendError from the other client: both carry the broker's `type`.
  if (typeof error.retriable === 'boolean' && typeof error.name === 'string' && KAFKA_CLIENT_ERROR.test(error.name)) {
    return { code: `KAFKA_${kafkaType(error)}`, retriable: error.retriable };
  }
  if (candidates.some((candidate) => hasMessageContaining(candidate, CONNECTION_TERMINATED))) {
    return { code: 'CONNECTION_TERMINATED', retriable: true };
  }
  return unknown();
}

const KAFKA_CLIENT_ERROR = /^(KafkaJS|KafkaSendError$)/;

function classifyByCode(code: unknown): ErrorClassification | undefined {
  if (typeof code !== 'string') return undefined;
  // Before SQLSTATE: 'EPIPE' is five capitals too.
  if (RETRIABLE_NETWORK_CODES.has(code)) return { code, retriable: true };
  if (!SQLSTATE.test(code)) return undefined;
  return { code: `PG_${code}`, retriable: !POISON_SQLSTATE_CLASSES.has(code.slice(0, 2)) };
}

/** The broker's error name when there is one (also on the cause a retry wrapped), else the class name. */
function kafkaType(error: Record<string, unknown>): string {
  const cause = isObject(error.cause) ? error.cause : {};
  const type = typeof error.type === 'string' ? error.type : typeof cause.type === 'string' ? cause.type : undefined;
  return type ?? String(error.name).replace(/^KafkaJS/, '');
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

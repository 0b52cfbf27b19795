import type { ErrorCode } from './error-codes';

/**
 * The one base of the system's errors: a stable `code` from the closed list, and whether doing the
 * same thing again can succeed. Callers decide retry versus dead-letter from `retriable`, never
 * from `instanceof` chains or message text.
 */
export abstract class RedpacketError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly retriable: boolean;
  /** For a refusal of the moment: seconds after which the same request may succeed (HTTP Retry-After). */
  readonly retryAfterSeconds?: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

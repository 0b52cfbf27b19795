import { classifyError } from '@redpacket/errors';

export interface KeepTryingOptions {
  /** What is being tried, for the log line of each failure. */
  what: string;
  /** Ends the attempts: the promise then rejects with `StoppedTrying`. */
  signal: AbortSignal;
  logger: { warn(message: string, fields: object): void };
  /** First delay after a failure; it doubles up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Hears every failure, before the wait: to say "waiting for Kafka" in readiness. */
  onFailure?: (error: Error, attempt: number) => void;
}

/** The attempts ended because the caller stopped them (shutdown), not because the work failed. */
export class StoppedTrying extends Error {
  constructor(what: string) {
    super(`stopped trying: ${what}`);
  }
}

/**
 * Runs `work` until it succeeds, waiting 0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s … between failures, for as long as it
 * takes: a dependency that is away (Kafka during an outage) is waited for, never a reason to exit.
 * Only an error that says retrying cannot help (one of ours with `retriable: false`, such as a topic
 * with fewer partitions than configured) ends it, by rejecting with that error.
 */
export async function keepTrying<T>(work: () => Promise<T>, options: KeepTryingOptions): Promise<T> {
  const min = options.minDelayMs ?? 500;
  const max = options.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal.aborted) throw new StoppedTrying(options.what);
    try {
      // An attempt in flight (a client's connect may retry for many seconds) does not hold a shutdown.
      return await untilStopped(work(), options.signal, options.what);
    } catch (error) {
      if (options.signal.aborted) throw new StoppedTrying(options.what);
      if (isFinal(error)) throw error;
      const delayMs = Math.min(min * 2 ** (attempt - 1), max);
      options.onFailure?.(error as Error, attempt);
      options.logger.warn(`${options.what} failed; trying again`, {
        attempt,
        retryInMs: delayMs,
        error: (error as Error).message,
      });
      await abortableDelay(delayMs, options.signal);
    }
  }
}

/**
 * `work`, or a rejection with `StoppedTrying` as soon as `signal` is aborted: a shutdown never waits on
 * something that waits for Kafka.
 */
export function untilStopped<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new StoppedTrying(what));
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new StoppedTrying(what));
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/**
 * Whether `work` settles within `ms`: true once it resolves, false at the deadline; its rejection, if it
 * comes first, is passed on. For a boot or a request that waits a little for Kafka, then goes on without.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Our own errors say when retrying cannot help; a client's "non-retriable" after its own retries is just an outage. */
function isFinal(error: unknown): boolean {
  const { code, retriable } = classifyError(error);
  return !retriable && !code.startsWith('KAFKA_');
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

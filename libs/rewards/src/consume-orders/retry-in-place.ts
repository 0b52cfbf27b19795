import { classifyError } from '../grant-red-packet/grant.errors';

/** The partition was taken away or the consumer is stopping: leave the work unfinished and uncommitted. */
export class StopRequested extends Error {}

/** Where a message, or a chunk of messages, sits: for logs. */
export interface Position {
  topic: string;
  partition: number;
  offset: string;
}

export interface RetryInPlace {
  position: Position;
  canContinue: () => boolean;
  work: () => Promise<void>;
  /** A failure that says it is not worth retrying (poison). */
  onPoison: (error: unknown, code: string) => Promise<void>;
  onRetry: (context: Position & { code: string; attempt: number; error: string }) => void;
}

/**
 * Runs `work` until it succeeds: a retriable failure again, in place, with backoff (the offset never moves
 * past it), a poison one handed to `onPoison`. Stops when the consumer may no longer continue.
 */
export async function retryInPlace({ position, canContinue, work, onPoison, onRetry }: RetryInPlace): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (!canContinue()) throw new StopRequested();
    try {
      await work();
      return;
    } catch (error) {
      const { code, retriable } = classifyError(error);
      if (!retriable) return onPoison(error, code);
      onRetry({ ...position, code, attempt, error: (error as Error).message });
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** (attempt - 1))));
    }
  }
}

export function chunksOf<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

import type { LoggerService } from '@nestjs/common';

/**
 * Runs `task` again and again, one run at a time: a slow run delays the next one instead of piling
 * up. The task returns how long to wait before its next run (so it can slow down while idle). A
 * failing run is logged and retried after `retryMs`. Returns a stop function that waits for the
 * run in progress.
 */
export function repeat(
  name: string,
  task: () => Promise<number>,
  retryMs: number,
  logger: LoggerService,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = task()
      .catch((error: unknown) => {
        logger.warn?.(`${name} failed; will try again`, { error: (error as Error).message });
        return retryMs;
      })
      .then((delayMs) => {
        if (!stopped) timer = setTimeout(tick, delayMs);
      });
  };
  tick();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

import type { LoggerService } from '@nestjs/common';

/**
 * Runs `task` every `intervalMs`, one run at a time: a slow run delays the next one instead of
 * piling up. A failing run is logged and the schedule goes on. Returns a stop function that
 * waits for the run in progress.
 */
export function repeat(
  name: string,
  intervalMs: number,
  task: () => Promise<void>,
  logger: LoggerService,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = task()
      .catch((error: unknown) => {
        logger.warn?.(`${name} failed; will try again`, { error: (error as Error).message });
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

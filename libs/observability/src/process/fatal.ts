import { Logger } from '@nestjs/common';

export type FatalListener = (source: string, error: Error) => void;

/** Exit code of a process that stopped because a part of it failed for good (not a crash, not a signal). */
export const FATAL_EXIT_CODE = 70;
/** A graceful close that hangs must not keep a dead process alive: the supervisor is waiting. */
const CLOSE_DEADLINE_MS = 15_000;

let listener: FatalListener | undefined;
const reported: { source: string; error: Error }[] = [];

/**
 * A part of the process can no longer work (a consumer kafkajs will not restart, a dead-letter topic
 * that refuses writes). Carried out by what the entry point registered: for an app started by
 * runApp, a graceful close and exit code 70, so a supervisor restarts it. Without a listener (an app
 * booted inside a test), it is only logged and kept for `fatalReports`.
 */
export function reportFatal(source: string, error: Error): void {
  reported.push({ source, error });
  new Logger('Fatal').error(`${source} failed for good`, { error: error.message });
  listener?.(source, error);
}

export function onFatal(next: FatalListener | undefined): void {
  listener = next;
}

export function fatalReports(): readonly { source: string; error: Error }[] {
  return reported;
}

/** The listener of a real process: close the app (readiness is already false), then exit non-zero. */
export function exitAfterClosing(close: () => Promise<void>): FatalListener {
  let exiting = false;
  return (source, error) => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', context: source, message: 'exiting', error: error.message, exitCode: FATAL_EXIT_CODE })}\n`,
    );
    setTimeout(() => process.exit(FATAL_EXIT_CODE), CLOSE_DEADLINE_MS).unref();
    void close()
      .catch(() => undefined)
      .finally(() => process.exit(FATAL_EXIT_CODE));
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..');

export type AppName = 'order-service' | 'reward-service' | 'reconciler' | 'monitor';

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts an app as its own process, as in production, with the test's environment on top. */
export function spawnApp(app: AppName, env: Record<string, string>): AppProcess {
  return spawnTypeScript([`apps/${app}/src/main.ts`], env);
}

/** Runs a TypeScript entry point of the repo (an app's main.ts or a script) in a child process. */
export function spawnTypeScript(args: string[], env: Record<string, string>): AppProcess {
  return spawnProcess(process.execPath, ['-r', './scripts/register.cjs', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, HTTP_PORT: '0', LOG_LEVEL: 'warn', ...env },
  });
}

/** Any command, with exactly the environment given, its output kept for the test to read. */
export function spawnProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): AppProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': only then has all of the process's output been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

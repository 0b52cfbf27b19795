import { spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion, capturing stdout and stderr together. */
export function runCommand(command: string, args: string[], options: SpawnOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export async function commandExists(command: string): Promise<boolean> {
  try {
    const { code } = await runCommand('sh', ['-c', `command -v ${command}`]);
    return code === 0;
  } catch {
    return false;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readPidFile(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function writePidFile(path: string, pid: number): void {
  writeFileSync(path, `${pid}\n`);
}

/** Polls `condition` until it returns a value or the deadline passes. */
export async function pollUntil<T>(
  description: string,
  condition: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 200 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await condition();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${cause}`);
}

/** SIGTERM, then SIGKILL if the process is still there after the grace period (0: SIGKILL at once). */
export async function stopProcess(pidFile: string, graceMs = 15_000): Promise<boolean> {
  const pid = readPidFile(pidFile);
  if (pid === undefined || !isProcessAlive(pid)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  const gone = async () => (isProcessAlive(pid) ? undefined : true);
  if (graceMs > 0) {
    process.kill(pid, 'SIGTERM');
    await pollUntil(`pid ${pid} to exit`, gone, { timeoutMs: graceMs, intervalMs: 100 }).catch(() => undefined);
  }
  if (isProcessAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    await pollUntil(`pid ${pid} to die`, gone, { timeoutMs: 10_000, intervalMs: 50 });
  }
  rmSync(pidFile, { force: true });
  return true;
}

export function detachedSpawnOptions(logFd: number, extra: SpawnOptions = {}): SpawnOptions {
  return { ...extra, detached: true, stdio: ['ignore', logFd, logFd] };
}

import { readFileSync } from 'node:fs';
import { runCommand } from '../../testkit/infra/process-utils';

/** utime + stime of a process, in clock ticks: fields 14 and 15 of /proc/<pid>/stat. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
  return Number(fields[11]) + Number(fields[12]);
}

export async function clockTicksPerSecond(): Promise<number> {
  const { code, output } = await runCommand('getconf', ['CLK_TCK']);
  return code === 0 && Number(output.trim()) > 0 ? Number(output.trim()) : 100;
}

/** Percent of one core the process used while `work` ran, with what `work` returned. */
export async function measureCpu<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; percentOfCore: number }> {
  const ticksPerSecond = await clockTicksPerSecond();
  const before = cpuTicks(pid);
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1_000;
  return { value, percentOfCore: ((cpuTicks(pid) - before) / ticksPerSecond / seconds) * 100 };
}

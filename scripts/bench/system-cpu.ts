import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import type { SystemUnderTest } from '../../testkit/system/system';
import { clockTicksPerSecond, cpuTicks } from './proc-cpu';
import { median } from './stats';

/** CPU one part of the system spent per order of a load. */
export interface CpuPerOrder {
  part: string;
  /** Milliseconds of CPU per order placed. */
  msPerOrder: number;
  /** Of the machine's cores, the share this part kept busy during the load. */
  shareOfMachine: number;
}

type Ticks = Map<string, number>;

/**
 * Where the machine's CPU went during a load, part by part: each app process, every Postgres process
 * (backends, WAL writer, checkpointer), every JVM (the Kafka brokers and controllers), and the bench
 * process itself, which is the load generator. Read from /proc, so only what runs on this machine is seen.
 */
export class SystemCpu {
  private constructor(
    private readonly system: SystemUnderTest,
    private readonly before: Ticks,
    private readonly startedAt: number,
  ) {}

  static start(system: SystemUnderTest): SystemCpu {
    return new SystemCpu(system, ticksByPart(system), performance.now());
  }

  async perOrder(orders: number): Promise<CpuPerOrder[]> {
    const seconds = (performance.now() - this.startedAt) / 1_000;
    const ticksPerSecond = await clockTicksPerSecond();
    const cores = availableParallelism();
    const after = ticksByPart(this.system);
    return [...after].map(([part, ticks]) => {
      const cpuSeconds = (ticks - (this.before.get(part) ?? 0)) / ticksPerSecond;
      return {
        part,
        msPerOrder: orders > 0 ? (cpuSeconds * 1_000) / orders : Number.NaN,
        shareOfMachine: cpuSeconds / seconds / cores,
      };
    });
  }
}

/** Part by part, the median over runs of each figure. */
export function medianCpu(runs: CpuPerOrder[][]): CpuPerOrder[] {
  const parts = [...new Set(runs.flatMap((run) => run.map((entry) => entry.part)))];
  return parts.map((part) => {
    const of = (pick: (entry: CpuPerOrder) => number) =>
      median(runs.map((run) => run.find((entry) => entry.part === part)).flatMap((e) => (e ? [pick(e)] : [])));
    return { part, msPerOrder: of((e) => e.msPerOrder), shareOfMachine: of((e) => e.shareOfMachine) };
  });
}

function ticksByPart(system: SystemUnderTest): Ticks {
  const parts: Ticks = new Map();
  const add = (part: string, pid: number) => {
    const ticks = readTicks(pid);
    if (ticks !== undefined) parts.set(part, (parts.get(part) ?? 0) + ticks);
  };
  for (const app of system.apps) if (app.process.child.pid) add(app.name, app.process.child.pid);
  for (const [pid, command] of processes()) {
    if (command === 'postgres') add('postgres', pid);
    if (command === 'java') add('kafka (JVM)', pid);
  }
  add('load generator (the bench)', process.pid);
  return parts;
}

function readTicks(pid: number): number | undefined {
  try {
    return cpuTicks(pid);
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

function processes(): [number, string][] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry): [number, string][] => {
      try {
        return [[Number(entry), readFileSync(`/proc/${entry}/comm`, 'utf8').trim()]];
      } catch {
        return [];
      }
    });
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a summary needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuShare {
  name: string;
  /** Percent of the CPU the process used while sampled (idle time left out). */
  percent: number;
}

export interface CpuProfileSummary {
  /** CPU time sampled, idle left out, in ms. */
  busyMs: number;
  /**
   * Self time by where the code comes from: a package, or a lib or app of this repo. Node's and V8's own
   * work (a socket write, a hash) is charged to the nearest caller that is not the runtime: a write of
   * pg's counts for pg. GC and V8's unattributed `(program)` stay apart.
   */
  byOrigin: CpuShare[];
  /** The functions with the most self time, named `function (origin)`. */
  topFunctions: CpuShare[];
}

/** Reads the one profile `node --cpu-prof --cpu-prof-dir=DIR` wrote into DIR. */
export function readCpuProfile(directory: string): CpuProfile {
  const [file] = readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile was written in ${directory}`);
  return JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
}

/**
 * Self time per origin and per function, as shares of the busy time (samples of `(idle)` left out).
 * Samples of the first `fromMs` of the profile (the process's boot, a warm-up) are left out too.
 */
export function summarizeCpuProfile(profile: CpuProfile, fromMs = 0, top = 12): CpuProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id])));
  const chargedTo = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const frame = nodes.get(at);
      const origin = frame ? originOf(frame.url, frame.functionName) : 'node';
      if (origin !== 'node') return origin;
    }
    return 'node';
  };
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  let elapsed = 0;
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    elapsed += micros;
    if (elapsed < fromMs * 1_000 || !frame || frame.functionName === '(idle)') return;
    const origin = originOf(frame.url, frame.functionName);
    busy += micros;
    const charged = chargedTo(id);
    byOrigin.set(charged, (byOrigin.get(charged) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'} (${origin})`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  const shares = (totals: Map<string, number>, limit: number) =>
    [...totals]
      .sort(([, a], [, b]) => b - a)
      .slice(0, limit)
      .map(([name, micros]) => ({ name, percent: busy > 0 ? (100 * micros) / busy : 0 }));
  return { busyMs: busy / 1_000, byOrigin: shares(byOrigin, top), topFunctions: shares(byFunction, top) };
}

/** `node_modules/@scope/pkg/...` → `@scope/pkg`; `libs/outbox/...` → `libs/outbox`; V8 and Node's own code → `node`. */
export function originOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'V8 (program)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1];
  const ours = /\/((?:libs|apps|scripts)\/[^/]+)\//.exec(url);
  if (ours) return ours[1];
  return 'node';
}

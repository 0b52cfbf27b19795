import type { BenchOptions } from './bench-options';
import type { E2eResult } from './end-to-end.bench';
import type { IdleCpuResult } from './idle-cpu.bench';
import type { ReconcileResult } from './reconcile.bench';
import type { RelayResult } from './relay.bench';
import type { RestResult } from './rest.bench';
import type { RewardResult } from './reward.bench';
import type { SigningResult } from './signing.bench';
import type { MachineInfo, Versions } from './system-info';

/** The JSON written to bench/results/<date>.json, and all the report is generated from. */
export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  /** The command that reproduces this run. */
  command: string;
  options: Omit<BenchOptions, 'argv'>;
  machine: MachineInfo;
  versions: Versions;
  rest?: RestResult;
  relay?: RelayResult;
  reward?: RewardResult;
  e2e?: E2eResult;
  idle?: IdleCpuResult;
  reconcile?: ReconcileResult;
  signing?: SigningResult;
  /** Measurements that failed, with why; the others still ran and are reported. */
  failures: { measurement: string; error: string }[];
}

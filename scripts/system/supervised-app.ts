import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter, linePrefix, RecentLines } from './output-lines';

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SupervisedAppOptions {
  name: string;
  /** Arguments after the Node binary, e.g. ['-r', './scripts/register.cjs', 'apps/monitor/src/main.ts']. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Width every output prefix is padded to. */
  prefixWidth: number;
}

const RECENT_LINES = 40;

/** One app as a child process: its output printed line by line under its name, stopped with a deadline. */
export class SupervisedApp {
  readonly exited: Promise<AppExit>;
  private readonly recent = new RecentLines(RECENT_LINES);
  private exit: AppExit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    prefixWidth: number,
  ) {
    const prefix = linePrefix(name, prefixWidth);
    this.forward(child.stdout, process.stdout, prefix);
    this.forward(child.stderr, process.stderr, prefix);
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': only then has the last of its output been read.
      child.once('close', (code, signal) => resolve((this.exit = { code, signal })));
      child.once('error', (error) => {
        this.recent.add(`could not start: ${error.message}`);
        resolve((this.exit = { code: null, signal: null }));
      });
    });
  }

  static start(options: SupervisedAppOptions): SupervisedApp {
    const child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new SupervisedApp(options.name, child, options.prefixWidth);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  lastOutput(): string[] {
    return this.recent.all();
  }

  /** SIGTERM (the apps close gracefully on it), then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs: number): Promise<AppExit> {
    if (this.isRunning()) this.child.kill('SIGTERM');
    const deadline = setTimeout(() => {
      if (this.isRunning()) this.child.kill('SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(deadline);
    }
  }

  private isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private forward(source: Readable | null, target: Writable, prefix: string): void {
    if (!source) return;
    const splitter = new LineSplitter();
    const print = (lines: string[]) => {
      for (const line of lines) {
        this.recent.add(line);
        target.write(`${prefix} ${line}\n`);
      }
    };
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => print(splitter.push(chunk)));
    source.on('end', () => print(splitter.flush()));
  }
}

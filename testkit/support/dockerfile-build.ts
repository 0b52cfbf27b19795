import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** What a multi-stage Dockerfile leaves in its last stage: a folder, its working directory and its ENV. */
export interface BuiltImage {
  root: string;
  workdir: string;
  env: Record<string, string>;
}

interface Stage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
}

/**
 * Builds the repo's Dockerfile without a Docker engine: each stage is a fresh folder; COPY copies from
 * the repo (or, with --from, from an earlier stage), RUN runs in the stage's working directory with the
 * machine's Node (the image's is the same major version), ENV and WORKDIR apply. FROM, USER and CMD
 * are read but change nothing here. What the image would hold is what the folder holds: a dist path
 * that does not exist, or a runtime import of a package pruned as a dev dependency, fails the same way.
 */
export function buildDockerfile(repoRoot: string, dockerfile = 'Dockerfile'): BuiltImage {
  const base = mkdtempSync(join(tmpdir(), 'redpacket-image-'));
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  for (const instruction of instructionsOf(readFileSync(join(repoRoot, dockerfile), 'utf8'))) {
    const [keyword, ...rest] = instruction.split(/\s+/);
    const args = rest.join(' ');
    if (keyword === 'FROM') {
      const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages.length);
      stage = { name, root: join(base, name), workdir: '/', env: {} };
      mkdirSync(stage.root, { recursive: true });
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${dockerfile}: ${keyword} before FROM`);
    const here = join(stage.root, stage.workdir);
    switch (keyword) {
      case 'WORKDIR':
        stage.workdir = args;
        mkdirSync(join(stage.root, args), { recursive: true });
        break;
      case 'ENV':
        for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) stage.env[key] = value;
        break;
      case 'COPY':
        copy(repoRoot, stages, stage, rest);
        break;
      case 'RUN':
        run(args, here, { ...buildEnv(), ...stage.env });
        break;
      case 'USER':
      case 'CMD':
        break;
      default:
        throw new Error(`${dockerfile}: ${keyword} is not understood by this builder`);
    }
  }
  if (!stage) throw new Error(`${dockerfile} has no stage`);
  return { root: stage.root, workdir: join(stage.root, stage.workdir), env: stage.env };
}

function copy(repoRoot: string, stages: Stage[], stage: Stage, args: string[]): void {
  const fromFlag = args.find((a) => a.startsWith('--from='));
  const paths = args.filter((a) => !a.startsWith('--'));
  const destination = paths.pop() ?? '.';
  const from = fromFlag ? stages.find((s) => s.name === fromFlag.slice('--from='.length)) : undefined;
  if (fromFlag && !from) throw new Error(`COPY ${fromFlag}: no such stage`);
  const target = join(stage.root, destination.startsWith('/') ? destination : join(stage.workdir, destination));
  for (const source of paths) {
    const origin = from
      ? join(from.root, source.startsWith('/') ? source : join(from.workdir, source))
      : join(repoRoot, source);
    const into =
      destination.endsWith('/') || paths.length > 1 ? join(target, source.split('/').pop() ?? source) : target;
    mkdirSync(dirname(into), { recursive: true });
    cpSync(origin, into, { recursive: true });
  }
}

function run(command: string, cwd: string, env: Record<string, string>): void {
  try {
    execFileSync('sh', ['-c', command], { cwd, env, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    const output = `${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`.slice(-3000);
    throw new Error(`RUN ${command} failed in ${cwd}:\n${output}`, { cause: error });
  }
}

/** The instructions of a Dockerfile, one per entry: comments dropped, continuation lines joined. */
function instructionsOf(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The machine's Node first on PATH, and nothing of the test's own environment beyond what npm needs. */
export function buildEnv(): Record<string, string> {
  const keep = ['HOME', 'NODE_EXTRA_CA_CERTS', 'npm_config_cache', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'];
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    ...Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string])),
  };
}

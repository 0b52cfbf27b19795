/** Where .ci/run unpacks Node 24 when the machine's Node is older; the same place is suggested here. */
export const CACHED_NODE_HOME = '$HOME/.cache/redpacket/node-24';

export type NodeVersionVerdict = 'ok' | 'too-old' | 'too-new';

type Version = [number, number, number];

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] : undefined;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Judges a Node version against an engines range made of space-separated comparators
 * (`>=24.11.0 <25`), the only form package.json uses here; anything else is refused loudly.
 */
export function judgeNodeVersion(version: string, range: string): NodeVersionVerdict {
  const current = parseVersion(version);
  if (!current) throw new Error(`not a Node version: ${version}`);
  for (const comparator of range.trim().split(/\s+/)) {
    const match = /^(>=|>|<=|<|=)?(.+)$/.exec(comparator);
    const bound = match ? parseVersion(match[2]) : undefined;
    if (!match || !bound) throw new Error(`unsupported engines range "${range}" (use comparators like >=24.11.0 <25)`);
    const order = compare(current, bound);
    const operator = match[1] ?? '=';
    if (operator === '>=' && order < 0) return 'too-old';
    if (operator === '>' && order <= 0) return 'too-old';
    if (operator === '<' && order >= 0) return 'too-new';
    if (operator === '<=' && order > 0) return 'too-new';
    if (operator === '=' && order !== 0) return order < 0 ? 'too-old' : 'too-new';
  }
  return 'ok';
}

export interface NodeAdviceInput {
  version: string;
  range: string;
  execPath: string;
  platform: string;
  arch: string;
  /** Whether CACHED_NODE_HOME already holds a node binary (then only PATH needs changing). */
  cachedNodeInstalled: boolean;
}

/** One line saying what is wrong and the commands that fix it, offline-friendly (npm pack, as .ci/run does). */
export function nodeUpgradeAdvice(input: NodeAdviceInput): string {
  const usePath = `export PATH=${CACHED_NODE_HOME}/bin:$PATH`;
  const problem = `redpacket needs Node ${input.range} (package.json engines), but this is Node ${input.version} (${input.execPath}).`;
  if (input.cachedNodeInstalled) return `${problem} Node 24 is already in ${CACHED_NODE_HOME}: ${usePath}`;
  const npmPackage = `node-${input.platform === 'win32' ? 'win' : input.platform}-${input.arch}`;
  const install =
    `d=$(mktemp -d) && (cd "$d" && npm pack --silent ${npmPackage}@24) && mkdir -p ${CACHED_NODE_HOME} && ` +
    `tar -xzf "$d"/${npmPackage}-*.tgz -C ${CACHED_NODE_HOME} --strip-components=1 && ${usePath}`;
  return `${problem} Get Node 24 (as .ci/run does): ${install}`;
}

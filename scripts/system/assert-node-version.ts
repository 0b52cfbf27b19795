import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { judgeNodeVersion, nodeUpgradeAdvice } from './node-version';

// Imported first by scripts/system.ts, so it runs before any library is loaded: on an old Node
// those fail with errors that do not say "wrong Node". Only node: built-ins here.
const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const range = packageJson.engines.node;
const verdict = judgeNodeVersion(process.versions.node, range);
if (verdict === 'too-old') {
  console.error(
    nodeUpgradeAdvice({
      version: process.versions.node,
      range,
      execPath: process.execPath,
      platform: process.platform,
      arch: process.arch,
      cachedNodeInstalled: existsSync(join(homedir(), '.cache', 'redpacket', 'node-24', 'bin', 'node')),
    }),
  );
  process.exit(2);
}
if (verdict === 'too-new')
  console.warn(`warning: Node ${process.versions.node} is newer than package.json engines (${range}); untested`);

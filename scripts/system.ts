// First, on its own: on an old Node it exits with one line saying how to get Node 24,
// before any library is loaded (see system/assert-node-version.ts).
import './system/assert-node-version';
import { ConfigValidationError, loadConfig } from '@redpacket/config';
import { runSystem } from './system/run-system';
import { SystemConfig } from './system/system.config';

/** `npm run system`: infrastructure, database, migrations and the four apps, until Ctrl-C. */
async function main(): Promise<number> {
  return runSystem(loadConfig(SystemConfig));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigValidationError ? error.message : error);
    process.exit(1);
  },
);

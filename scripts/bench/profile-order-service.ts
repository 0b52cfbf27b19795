import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { closeBenchContext, openBenchContext, withSystem } from './bench-context';
import { profileOrderService } from './rest-profile';
import { log } from './stats';

/**
 * `node -r ./scripts/register.cjs scripts/bench/profile-order-service.ts --app-root DIR --out FILE
 * [--seconds N]`: the REST measurement's CPU profile of the order service found in DIR (another
 * checkout of this repository, such as an earlier commit), written to FILE. The bench keeps one such
 * file, bench/results/order-service-profile-before.json, to show the profile before the one-statement order.
 */
async function main(argv: string[]): Promise<void> {
  const option = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const appRoot = resolve(option('--app-root') ?? '.');
  const out = option('--out');
  if (!out) throw new Error('usage: profile-order-service.ts --app-root DIR --out FILE [--seconds N]');
  const context = await openBenchContext({ ownPostgres: false });
  try {
    const profile = await withSystem(context, 'inbox-tx', (system) =>
      profileOrderService(system, { connections: 10, seconds: Number(option('--seconds') ?? 15) }, appRoot),
    );
    writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), ...profile }, null, 2) + '\n');
    log(
      `wrote ${out}: ${profile.requestsPerSecond.toFixed(0)} req/s, ${profile.cpuMicrosPerOrder.toFixed(0)} µs CPU per order`,
    );
  } finally {
    await closeBenchContext(context);
  }
}

void main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});

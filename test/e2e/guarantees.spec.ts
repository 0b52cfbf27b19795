import { join } from 'node:path';
import { GRANT_STRATEGIES, type GrantStrategyName } from '@redpacket/rewards';
import { type MatrixResults, renderMatrix, writeMatrix } from './support/guarantee-matrix';
import { passes, type ScenarioOutcome } from './support/outcome';
import { runScenario, SCENARIOS } from './support/scenarios';

/**
 * The claim, proven through the whole running system: under `inbox-tx` every scenario ends with
 * one packet per qualifying order and nothing else; each weaker strategy fails where theory says,
 * which shows the suite can see a double grant and a lost reward.
 * `npm run prove` runs this file and writes docs/guarantees.md.
 */
const results: MatrixResults = new Map();
const strategies: GrantStrategyName[] = [...GRANT_STRATEGIES];

function record(scenarioId: string, strategy: GrantStrategyName, outcome: ScenarioOutcome): void {
  const row = results.get(scenarioId) ?? new Map<GrantStrategyName, ScenarioOutcome>();
  row.set(strategy, outcome);
  results.set(scenarioId, row);
}

jest.setTimeout(300_000);

afterAll(() => {
  if (process.env.PROVE_WRITE !== '1') return;
  const markdown = renderMatrix(SCENARIOS, strategies, results, {
    orders: Number(process.env.E2E_ORDERS ?? 200),
    date: new Date().toISOString().slice(0, 10),
  });
  writeMatrix(join(__dirname, '..', '..', 'docs', 'guarantees.md'), markdown);
});

describe.each(strategies)('the system under the %s strategy', (strategy) => {
  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s', async (_, scenario) => {
    const outcome = await runScenario(scenario, strategy);
    record(scenario.id, strategy, outcome);
    if (strategy === 'inbox-tx') {
      expect(outcome).toMatchObject({
        double: 0,
        missing: 0,
        wronglyGranted: 0,
        walletMismatches: 0,
        lag: 0,
        deadLetters: 0,
      });
      expect(outcome.granted).toBe(outcome.expected);
    }
    const theory = scenario.mustFail[strategy];
    if (theory)
      expect({ scenario: scenario.id, strategy, passes: passes(outcome), theory }).toMatchObject({ passes: false });
  });
});

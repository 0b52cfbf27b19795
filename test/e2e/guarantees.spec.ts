import { join } from 'node:path';
import { type MatrixResults, renderMatrix, writeMatrix } from './support/guarantee-matrix';
import { invariantsHeld, passes, type ScenarioOutcome } from '../../testkit/system/outcome';
import {
  columnsToRun,
  MATRIX_COLUMNS,
  type MatrixColumn,
  runScenario,
  SCENARIOS,
  scenariosToRun,
} from './support/scenarios';

/**
 * The claim, proven through the whole running system: under `inbox-tx` every scenario ends with
 * one packet per qualifying order and nothing else; each weaker strategy fails where theory says,
 * which shows the suite can see a double grant and a lost reward.
 * `npm run prove` runs this file and writes docs/guarantees.md.
 */
const results: MatrixResults = new Map();

function record(scenarioId: string, column: MatrixColumn, outcome: ScenarioOutcome | string): void {
  const row = results.get(scenarioId) ?? new Map<string, ScenarioOutcome | string>();
  row.set(column.id, outcome);
  results.set(scenarioId, row);
}

jest.setTimeout(300_000);

afterAll(() => {
  if (process.env.PROVE_WRITE !== '1') return;
  const markdown = renderMatrix(SCENARIOS, MATRIX_COLUMNS, results, {
    orders: Number(process.env.E2E_ORDERS ?? 200),
    date: new Date().toISOString().slice(0, 10),
  });
  writeMatrix(join(__dirname, '..', '..', 'docs', 'guarantees.md'), markdown);
});

describe.each(columnsToRun().map((c) => [c.id, c] as const))('the system under %s', (_id, column) => {
  const { strategy } = column;
  it.each(scenariosToRun(column).map((s) => [s.id, s] as const))('%s', async (_, scenario) => {
    // A scenario that does not finish keeps its cell, as a failure, rather than leaving it out.
    const outcome = await runScenario(scenario, column).catch((error: Error) => {
      record(scenario.id, column, error.message.split('\n')[0]);
      throw error;
    });
    record(scenario.id, column, outcome);
    if (strategy === 'inbox-tx') {
      expect(outcome).toMatchObject(invariantsHeld());
      expect(outcome.granted).toBe(outcome.expected);
    }
    const theory = scenario.mustFail[strategy];
    if (theory)
      expect({ scenario: scenario.id, strategy, passes: passes(outcome), theory }).toMatchObject({ passes: false });
  });
});

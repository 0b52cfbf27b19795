import type { DatabaseActivity } from './database-activity';
import type { E2eLoads, LoadRun } from './end-to-end.bench';
import { loadRun } from './load-run.fixture';
import { databaseSection } from './report-database';

function load(offeredPerSecond: number, database?: DatabaseActivity): LoadRun {
  return loadRun(offeredPerSecond, database ? { database } : {});
}

const measured = (statementsPerOrder: number): DatabaseActivity => ({
  writeTransactionsPerOrder: 2.5,
  walBytesPerOrder: 4_200,
  statementsPerOrder,
  statementMsPerOrder: 1.25,
  topStatements: [{ query: 'SELECT ordering.place_order($1, $2)', callsPerOrder: 1, msPerCall: 0.8, msPerOrder: 0.8 }],
});

function loads(median: LoadRun[], highest: number | null): E2eLoads {
  return { runs: [median], median, highestLoadUnderTarget: highest };
}

describe('databaseSection', () => {
  it('has a row per load and the costliest statements at the highest load held', () => {
    const section = databaseSection(loads([load(50, measured(12)), load(200, measured(9))], 200), 200);
    expect(section).toContain('| 50 | 12.0 | 1.25 ms | 2.50 | 4,200 B |');
    expect(section).toContain('| 200 | 9.0 | 1.25 ms | 2.50 | 4,200 B |');
    expect(section).toContain('ran at 200 orders/s, by Postgres time per order');
    expect(section).toContain('| `SELECT ordering.place_order($1, $2)` | 1.00 | 0.80 ms | 0.80 ms |');
  });

  it('says why statements were not measured, and still reports transactions and WAL', () => {
    const without: DatabaseActivity = {
      writeTransactionsPerOrder: 3,
      walBytesPerOrder: 5_000,
      statementsUnavailable: 'pg_stat_statements must be loaded via "shared_preload_libraries"',
    };
    const section = databaseSection(loads([load(50, without)], null), undefined);
    expect(section).toContain('| 50 | not measured | not measured | 3.00 | 5,000 B |');
    expect(section).toContain('Postgres answered “pg_stat_statements must be loaded via "shared_preload_libraries"”');
    expect(section).not.toContain('by Postgres time per order');
  });

  it('is empty for results recorded before Postgres was measured', () => {
    expect(databaseSection(loads([load(50)], 50), 50)).toBe('');
  });
});

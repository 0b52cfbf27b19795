import { type DatabaseActivity, TOP_STATEMENTS } from './database-activity';
import type { E2eLoads } from './end-to-end.bench';
import { ms, num, table } from './report-format';

/**
 * What Postgres did per order at each load of one configuration: statements and their execution time
 * (pg_stat_statements, reset per load), write transactions and WAL; then the statements that cost most at
 * `focusLoad`. Empty when the run measured none of it.
 */
export function databaseSection(loads: E2eLoads, focusLoad: number | undefined): string {
  const measured = loads.median.filter((load): load is typeof load & { database: DatabaseActivity } =>
    Boolean(load.database),
  );
  if (measured.length === 0) return '';
  const unavailable = measured.find((load) => load.database.statementsUnavailable)?.database.statementsUnavailable;
  const focus = measured.find((load) => load.offeredPerSecond === focusLoad) ?? measured[0];
  const lines = [
    '### What Postgres does per order, batched grants (the default)',
    '',
    table(
      [
        'offered orders/s',
        'statements per order',
        'statement time per order',
        'write transactions per order',
        'WAL per order',
      ],
      measured.map(({ offeredPerSecond, database }) => [
        num(offeredPerSecond),
        database.statementsPerOrder === undefined ? 'not measured' : num(database.statementsPerOrder, 1),
        database.statementMsPerOrder === undefined ? 'not measured' : ms(database.statementMsPerOrder),
        num(database.writeTransactionsPerOrder, 2),
        `${num(database.walBytesPerOrder)} B`,
      ]),
    ),
    '',
    'Per order placed, the median over runs, each load from its first request until its last packet was granted. ' +
      'Statements are those the apps ran in the bench’s database, counted by pg_stat_statements (reset before each load; ' +
      'execution time only, not planning, and without the bench’s own polling). Write transactions are the transaction ids ' +
      'the server gave out (every transaction that wrote, committed or not), WAL the distance the server’s WAL position moved: ' +
      'both server-wide, so they include anything else the server did meanwhile.' +
      (unavailable
        ? ` Statements were not measured: Postgres answered “${unavailable}”. They need \`shared_preload_libraries = 'pg_stat_statements'\` in the server’s configuration (a restart).`
        : ''),
  ];
  const top = focus.database.topStatements;
  if (top && top.length > 0) {
    lines.push(
      '',
      `The statements the apps ran at ${num(focus.offeredPerSecond)} orders/s, by Postgres time per order (the ${TOP_STATEMENTS} costliest, when there were more):`,
      '',
      table(
        ['statement', 'calls per order', 'time per call', 'time per order'],
        top.map((s) => [
          `\`${s.query.replace(/\|/g, '\\|').replace(/`/g, "'")}\``,
          num(s.callsPerOrder, 2),
          ms(s.msPerCall),
          ms(s.msPerOrder),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

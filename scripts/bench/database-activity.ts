import type { DataSource } from 'typeorm';
import { median } from './stats';

/** One statement's share of a load: how often it ran per order and what each run cost. */
export interface StatementCost {
  /** The normalised text pg_stat_statements keeps, whitespace collapsed and cut short. */
  query: string;
  callsPerOrder: number;
  msPerCall: number;
  msPerOrder: number;
}

/** What Postgres did for a load, per order placed. */
export interface DatabaseActivity {
  /** Transactions that wrote (were given a transaction id), across the server, per order. */
  writeTransactionsPerOrder: number;
  /** WAL the server wrote during the load, per order. */
  walBytesPerOrder: number;
  /** Statements the apps ran in the bench's database (pg_stat_statements), per order. */
  statementsPerOrder?: number;
  /** Their execution time, per order. */
  statementMsPerOrder?: number;
  /** The statements that took most of that time, TOP_STATEMENTS at most. */
  topStatements?: StatementCost[];
  /** Why statements were not counted, when they were not (pg_stat_statements is not loaded). */
  statementsUnavailable?: string;
}

export const TOP_STATEMENTS = 25;
const QUERY_CHARS = 110;
/** The bench's own statements: its wait for every packet, and this meter. */
const BENCH_OWN = ['%user_id LIKE $%', '%pg_stat_statements%', '%pg_current_wal_lsn%'];

interface Mark {
  xmax: string;
  lsn: string;
}

/**
 * Counts what Postgres did during one load. Transaction ids and the WAL position are exact at any
 * moment (unlike the cumulative statistics views, which backends flush about once a second), and
 * pg_stat_statements updates as each statement ends. Statements need the extension loaded
 * (`shared_preload_libraries = 'pg_stat_statements'`); without it the rest is still measured and the
 * report says why statements are missing. Resetting it clears the whole server's statement statistics.
 */
export class DatabaseActivityMeter {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly before: Mark,
    private readonly statementsUnavailable: string | undefined,
  ) {}

  static async start(dataSource: DataSource): Promise<DatabaseActivityMeter> {
    const unavailable = await resetStatements(dataSource);
    return new DatabaseActivityMeter(dataSource, await mark(dataSource), unavailable);
  }

  async perOrder(orders: number): Promise<DatabaseActivity> {
    const after = await mark(this.dataSource);
    const [{ wal }] = await this.dataSource.query<{ wal: string }[]>(`SELECT pg_wal_lsn_diff($1, $2)::text AS wal`, [
      after.lsn,
      this.before.lsn,
    ]);
    const per = (value: number) => (orders > 0 ? value / orders : Number.NaN);
    const activity: DatabaseActivity = {
      writeTransactionsPerOrder: per(Number(BigInt(after.xmax) - BigInt(this.before.xmax))),
      walBytesPerOrder: per(Number(wal)),
    };
    if (this.statementsUnavailable) return { ...activity, statementsUnavailable: this.statementsUnavailable };
    const statements = await readStatements(this.dataSource);
    const calls = statements.reduce((sum, s) => sum + s.calls, 0);
    const totalMs = statements.reduce((sum, s) => sum + s.totalMs, 0);
    return {
      ...activity,
      statementsPerOrder: per(calls),
      statementMsPerOrder: per(totalMs),
      topStatements: statements.slice(0, TOP_STATEMENTS).map((s) => ({
        query: s.query,
        callsPerOrder: per(s.calls),
        msPerCall: s.calls > 0 ? s.totalMs / s.calls : Number.NaN,
        msPerOrder: per(s.totalMs),
      })),
    };
  }
}

/** Over runs of one load: the median of each figure, and the top statements of the median run. */
export function medianActivity(runs: DatabaseActivity[]): DatabaseActivity {
  const of = (pick: (run: DatabaseActivity) => number | undefined) =>
    median(runs.flatMap((run) => (pick(run) === undefined ? [] : [pick(run) as number])));
  const byTime = [...runs].sort((a, b) => (a.statementMsPerOrder ?? 0) - (b.statementMsPerOrder ?? 0));
  const middle = byTime[Math.floor((byTime.length - 1) / 2)];
  const statements = runs.some((run) => run.statementsPerOrder !== undefined);
  return {
    writeTransactionsPerOrder: of((run) => run.writeTransactionsPerOrder),
    walBytesPerOrder: of((run) => run.walBytesPerOrder),
    ...(statements
      ? {
          statementsPerOrder: of((run) => run.statementsPerOrder),
          statementMsPerOrder: of((run) => run.statementMsPerOrder),
          topStatements: middle.topStatements,
        }
      : { statementsUnavailable: runs[0].statementsUnavailable }),
  };
}

async function mark(dataSource: DataSource): Promise<Mark> {
  // pg_current_snapshot's xmax is the next transaction id to be given: reading it assigns none.
  const [row] = await dataSource.query<Mark[]>(
    `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax, pg_current_wal_lsn()::text AS lsn`,
  );
  return row;
}

/** Clears the statement statistics; returns why they cannot be read, if they cannot. */
async function resetStatements(dataSource: DataSource): Promise<string | undefined> {
  try {
    await dataSource.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await dataSource.query('SELECT pg_stat_statements_reset()');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function readStatements(dataSource: DataSource) {
  const rows = await dataSource.query<{ query: string; calls: string; total_ms: number }[]>(
    `SELECT query, calls::text AS calls, total_exec_time AS total_ms
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND NOT (query LIKE ANY ($1::text[]))
      ORDER BY total_exec_time DESC`,
    [BENCH_OWN],
  );
  return rows.map((row) => ({
    query: shorten(row.query),
    calls: Number(row.calls),
    totalMs: Number(row.total_ms),
  }));
}

function shorten(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim();
  return text.length > QUERY_CHARS ? `${text.slice(0, QUERY_CHARS - 1)}…` : text;
}

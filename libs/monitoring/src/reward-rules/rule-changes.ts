import type { DataSource } from 'typeorm';

/** A reward rule version as the monitor shows it: what it pays, from when, and who added it. */
export interface RuleChange {
  version: number;
  effectiveFrom: string;
  minItems: number;
  percentBasisPoints: number;
  minCents: string;
  maxCents: string;
  createdAt: string;
  /** The name of the admin credential that added it (`migration` for the first). */
  createdBy: string;
  note: string | null;
}

const SHOWN = 5;

/** The latest rule versions, newest first: the table is append-only and small, one row per change. */
export async function readRuleChanges(dataSource: DataSource): Promise<RuleChange[]> {
  const rows = await dataSource.query<
    {
      version: number;
      effective_from: Date;
      min_items: number;
      percent_basis_points: number;
      min_cents: string;
      max_cents: string;
      created_at: Date;
      created_by: string;
      note: string | null;
    }[]
  >(
    `SELECT version, effective_from, min_items, percent_basis_points, min_cents, max_cents, created_at, created_by, note
       FROM rewards.reward_rules ORDER BY version DESC LIMIT ${SHOWN}`,
  );
  return rows.map((row) => ({
    version: row.version,
    effectiveFrom: row.effective_from.toISOString(),
    minItems: row.min_items,
    percentBasisPoints: row.percent_basis_points,
    minCents: String(row.min_cents),
    maxCents: String(row.max_cents),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    note: row.note,
  }));
}

/**
 * Says which versions are new since the last reading, so each rule change is logged once. The first
 * reading only sets the mark: rules added before the monitor started are history, not news.
 */
export class RuleChangeWatch {
  private seenVersion: number | undefined;

  added(changes: readonly RuleChange[]): RuleChange[] {
    const newest = changes[0]?.version ?? 0;
    const seen = this.seenVersion;
    this.seenVersion = Math.max(seen ?? 0, newest);
    if (seen === undefined) return [];
    return changes.filter((change) => change.version > seen).reverse();
  }
}

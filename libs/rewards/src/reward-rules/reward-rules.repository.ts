import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RewardRule } from '../domain/reward-rule';

/** A rule as stored: its version and the moment from which it is in force (until the next version's). */
export interface RewardRuleVersion extends RewardRule {
  version: number;
  effectiveFrom: Date;
}

export interface RecordedRewardRule extends RewardRuleVersion {
  createdAt: Date;
  createdBy: string;
  note: string | null;
}

interface RuleRow {
  version: number;
  effective_from: Date;
  min_items: number;
  percent_basis_points: number;
  min_cents: string;
  max_cents: string;
  created_at: Date;
  created_by: string;
  note: string | null;
}

const RULE_COLUMNS =
  'version, effective_from, min_items, percent_basis_points, min_cents, max_cents, created_at, created_by, note';

function ruleOf(row: RuleRow): RecordedRewardRule {
  return {
    version: row.version,
    effectiveFrom: row.effective_from,
    minItems: row.min_items,
    percentBasisPoints: row.percent_basis_points,
    minCents: Number(row.min_cents),
    maxCents: Number(row.max_cents),
    createdAt: row.created_at,
    createdBy: row.created_by,
    note: row.note,
  };
}

/** `rewards.reward_rules`: append-only, and a new version takes effect at least 2 s after it is written. */
@Injectable()
export class RewardRulesRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Every version, oldest first, and the database time of the snapshot they were read in: no rule written
   * after that snapshot can be in force before it (the table's trigger sees to that).
   */
  async timeline(): Promise<{ rules: RecordedRewardRule[]; readAt: Date }> {
    const rows = await this.dataSource.query<(RuleRow & { read_at: Date })[]>(
      `SELECT ${RULE_COLUMNS}, statement_timestamp() AS read_at FROM rewards.reward_rules ORDER BY effective_from`,
    );
    if (rows.length === 0) throw new Error('rewards.reward_rules is empty: run the migrations');
    return { rules: rows.map(ruleOf), readAt: rows[0].read_at };
  }

  /** The `limit` latest versions, newest first. */
  async latest(limit: number): Promise<RecordedRewardRule[]> {
    const rows = await this.dataSource.query<RuleRow[]>(
      `SELECT ${RULE_COLUMNS} FROM rewards.reward_rules ORDER BY version DESC LIMIT $1`,
      [limit],
    );
    return rows.map(ruleOf);
  }

  async add(rule: RewardRule & { effectiveFrom: Date; createdBy: string; note?: string }): Promise<RecordedRewardRule> {
    const [row] = await this.dataSource.query<RuleRow[]>(
      `INSERT INTO rewards.reward_rules
              (effective_from, min_items, percent_basis_points, min_cents, max_cents, created_by, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${RULE_COLUMNS}`,
      [
        rule.effectiveFrom,
        rule.minItems,
        rule.percentBasisPoints,
        rule.minCents,
        rule.maxCents,
        rule.createdBy,
        rule.note ?? null,
      ],
    );
    return ruleOf(row);
  }
}

import type { LoggerService } from '@nestjs/common';
import type { RewardRulesRepository } from '@redpacket/rewards';

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

/** The latest rule versions, newest first, as the snapshot carries them (dates in ISO, cents as text). */
export async function readRuleChanges(repository: RewardRulesRepository): Promise<RuleChange[]> {
  const rules = await repository.latest(SHOWN);
  return rules.map((rule) => ({
    version: rule.version,
    effectiveFrom: rule.effectiveFrom.toISOString(),
    minItems: rule.minItems,
    percentBasisPoints: rule.percentBasisPoints,
    minCents: String(rule.minCents),
    maxCents: String(rule.maxCents),
    createdAt: rule.createdAt.toISOString(),
    createdBy: rule.createdBy,
    note: rule.note,
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

/** The latest rule versions at each reading, each new one logged once (a warn line: money rules changed). */
export class RuleWatch {
  private readonly changes = new RuleChangeWatch();

  constructor(
    private readonly repository: RewardRulesRepository,
    private readonly logger: LoggerService,
  ) {}

  async read(): Promise<RuleChange[]> {
    const rules = await readRuleChanges(this.repository);
    for (const rule of this.changes.added(rules)) this.logger.warn('reward rule added', { ...rule });
    return rules;
  }
}

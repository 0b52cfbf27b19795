import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { classifyError } from '@redpacket/errors';
import { AdminCaller, RequiresAdminScope, validationFailed } from '@redpacket/platform';
import { type RewardRule, validateRewardRule } from '../domain/reward-rule';
import { AddRewardRuleDto } from './add-reward-rule.dto';
import { type RecordedRewardRule, RewardRulesRepository } from './reward-rules.repository';
import { RewardRuleBook } from './reward-rule-book';
import { REWARDS_OPTIONS, type RewardRuleLimits, type RewardsOptions } from '../rewards.options';

/** What a rule may not pay, whoever asks: REWARD_RULE_MAX_PERCENT_BASIS_POINTS and REWARD_RULE_MAX_PACKET_CENTS. */
function beyondLimits(rule: RewardRule, limits: RewardRuleLimits): string[] {
  return [
    ...(rule.percentBasisPoints > limits.maxPercentBasisPoints
      ? [`percentBasisPoints must be at most ${limits.maxPercentBasisPoints}, got ${rule.percentBasisPoints}`]
      : []),
    ...(rule.maxCents > limits.maxPacketCents
      ? [`maxCents must be at most ${limits.maxPacketCents}, got ${rule.maxCents}`]
      : []),
  ];
}

/**
 * The rule timeline. Versions are never edited: a change is a new version that takes effect later,
 * recorded with the name of the credential that made it. Reading takes the `read` scope, adding `rules`.
 */
@ApiTags('admin')
@Controller('admin/reward-rules')
export class RewardRulesController {
  constructor(
    @Inject(RewardRulesRepository) private readonly repository: RewardRulesRepository,
    private readonly rules: RewardRuleBook,
    @Inject(REWARDS_OPTIONS) private readonly options: RewardsOptions,
  ) {}

  @Get()
  @RequiresAdminScope('read')
  async timeline(): Promise<{ items: RecordedRewardRule[] }> {
    return { items: await this.rules.timeline() };
  }

  /** 201 with the new version; 400 naming every problem, including a start less than 2 s away. */
  @Post()
  @HttpCode(201)
  @RequiresAdminScope('rules')
  async add(@Body() body: AddRewardRuleDto, @AdminCaller() caller: string): Promise<RecordedRewardRule> {
    const rule = {
      minItems: body.minItems,
      percentBasisPoints: body.percentBasisPoints,
      minCents: body.minCents,
      maxCents: body.maxCents,
    };
    const problems = [...validateRewardRule(rule), ...beyondLimits(rule, this.options.ruleLimits)];
    if (problems.length > 0) throw validationFailed([{ field: 'rule', messages: problems }]);
    try {
      return await this.repository.add({
        ...rule,
        effectiveFrom: new Date(body.effectiveFrom),
        createdBy: caller,
        note: body.note,
      });
    } catch (error) {
      // The table's own checks (the 2 s lead, a moment already taken) are the client's to fix.
      if (classifyError(error).code.startsWith('PG_23')) {
        throw validationFailed([{ field: 'effectiveFrom', messages: [(error as Error).message] }]);
      }
      throw error;
    }
  }
}

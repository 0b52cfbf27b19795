import { Injectable, Logger } from '@nestjs/common';
import { failpoint } from '@redpacket/failpoints';
import { trace } from '@opentelemetry/api';
import { contextOf, inSpan } from '@redpacket/observability';
import { type GrantOutcome, GrantOnceService, type GrantRequest, rewardFor, RewardRuleBook } from '@redpacket/rewards';
import type { OrderToCheck } from './order-to-check';
import { PendingRepairsRepository } from './pending-repairs.repository';
import type { ReconciliationCounts } from './reconciliation-run';

/** The run an order is checked in, and whether the order came from the pending repairs. */
export interface CheckContext {
  runId: string;
  dryRun: boolean;
  pending: boolean;
}

/**
 * Decides one order with no recorded decision, under the rule in force when it was placed, through the
 * consumer's own `grantOnce` (source `reconciliation`). A reissue that fails is kept as a pending repair, so
 * a later run retries it even after the high-water mark has moved past the order.
 */
@Injectable()
export class ReissueOrderService {
  private readonly logger = new Logger(ReissueOrderService.name);

  constructor(
    private readonly grants: GrantOnceService,
    private readonly rules: RewardRuleBook,
    private readonly pending: PendingRepairsRepository,
  ) {}

  async check(order: OrderToCheck, context: CheckContext, counts: ReconciliationCounts): Promise<void> {
    counts.scanned += 1;
    if (order.decided) {
      // A pending repair the event path decided since its reissue failed.
      if (context.pending) await this.pending.resolve(order.order_id);
      return;
    }
    counts.missing += 1;
    const request: GrantRequest = {
      source: 'reconciliation',
      orderId: order.order_id,
      userId: order.user_id,
      itemCount: order.item_count,
      totalCents: Number(order.total_cents),
      placedAt: order.placed_at,
    };
    if (rewardFor(request, await this.rules.ruleAt(order.placed_at)) > 0) counts.eligible += 1;
    if (context.dryRun) return;
    let outcome: GrantOutcome;
    try {
      this.logger.debug('granting a missing red packet', { orderId: order.order_id, userId: order.user_id });
      await failpoint('reconciler.before-grant');
      outcome = await this.reissue(order, request);
    } catch (error) {
      counts.failed += 1;
      const message = (error as Error).message;
      this.logger.error('reissue failed; kept as a pending repair for the next run', {
        orderId: order.order_id,
        runId: context.runId,
        error: message,
      });
      // Not caught: if the failure cannot be kept either, the run fails, and a failed run moves no mark.
      await this.pending.recordFailure(order.order_id, context.runId, message);
      return;
    }
    if (outcome === 'granted') counts.reissued += 1;
    else if (outcome === 'ineligible') counts.ineligible += 1;
    else counts.alreadyDecided += 1;
    this.logger.log('decided a missing order', { orderId: order.order_id, userId: order.user_id, outcome });
    // Also from the window: its retry may have failed earlier in this run, and the overlap brought it back.
    await this.pending.resolve(order.order_id);
  }

  /**
   * A reissue is a trace of its own (nothing the order's trace started is waiting for it), linked to the
   * trace the order was placed in: the grant's RedPacketGranted continues the reissue's trace.
   */
  private reissue(order: OrderToCheck, request: GrantRequest): Promise<GrantOutcome> {
    const placedIn = trace.getSpanContext(contextOf(order.trace_context));
    return inSpan(
      'reconcile reissue',
      {
        root: true,
        attributes: { 'order.id': order.order_id },
        links: placedIn ? [{ context: placedIn }] : [],
      },
      async (span) => {
        const outcome = await this.grants.grantOnce(request);
        span.setAttribute('grant.outcome', outcome);
        return outcome;
      },
    );
  }
}

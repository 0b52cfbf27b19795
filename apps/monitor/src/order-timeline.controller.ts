import { Controller, Get, Header, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { OrderTimelineNotFoundError } from '@redpacket/monitoring';
import { ApiTags } from '@nestjs/swagger';
import { type OrderTimeline, OrderTimelines } from '@redpacket/monitoring';
import { RequiresAdminScope } from '@redpacket/platform';
import { PAGE_CSP, pageFile } from './page-files';

/**
 * One order's life for an operator ("I bought three items and got no red packet"): the page at `/order`
 * and the JSON it reads. The JSON names a customer and their amounts, so it takes the `read` scope.
 */
@ApiTags('orders')
@Controller()
export class OrderTimelineController {
  private readonly html = pageFile('order.html');
  private readonly script = pageFile('order.js');

  constructor(@Inject(OrderTimelines) private readonly timelines: OrderTimelines) {}

  @Get('order')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  page(): string {
    return this.html;
  }

  @Get('order.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  pageScript(): string {
    return this.script;
  }

  /** 400 for an id that is not a UUID, 401/403 without a `read` credential, 404 for an order that does not exist. */
  @Get('api/orders/:orderId/timeline')
  @RequiresAdminScope('read')
  @Header('Cache-Control', 'no-store')
  async timeline(@Param('orderId', new ParseUUIDPipe()) orderId: string): Promise<OrderTimeline> {
    const timeline = await this.timelines.of(orderId);
    if (!timeline) throw new OrderTimelineNotFoundError(orderId);
    return timeline;
  }
}

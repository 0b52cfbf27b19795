import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ParseUserIdPipe } from '@redpacket/platform';
import { OrderView } from '../order.view';
import { ListOrdersQueryDto } from './list-orders.query.dto';
import { type OrderPage, OrdersQueries } from './orders.queries';

@ApiTags('orders')
@Controller()
export class ReadOrdersController {
  constructor(private readonly orders: OrdersQueries) {}

  @Get('orders/:orderId')
  @ApiOkResponse({ type: OrderView })
  async getOrder(@Param('orderId', new ParseUUIDPipe()) orderId: string): Promise<OrderView> {
    const order = await this.orders.findOrder(orderId);
    if (!order) throw new NotFoundException(`order ${orderId} not found`);
    return order;
  }

  @Get('users/:userId/orders')
  listUserOrders(
    @Param('userId', ParseUserIdPipe) userId: string,
    @Query() query: ListOrdersQueryDto,
  ): Promise<OrderPage> {
    return this.orders.listUserOrders(userId, query.limit, query.cursor);
  }
}

import { Controller, Get, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import { OrderNotFoundError } from './read-orders.errors';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { assertOwnUser, CustomerGuard, CustomerId, ParseUserIdPipe } from '@redpacket/platform';
import { OrderView } from '../order.view';
import { ListOrdersQueryDto } from './list-orders.query.dto';
import { type OrderPage, OrdersQueries } from './orders.queries';

/** A customer's own orders only: another's order is 404 (its existence is not told), another's list 403. */
@ApiTags('orders')
@ApiBearerAuth()
@UseGuards(CustomerGuard)
@Controller()
export class ReadOrdersController {
  constructor(private readonly orders: OrdersQueries) {}

  @Get('orders/:orderId')
  @ApiOkResponse({ type: OrderView })
  async getOrder(
    @CustomerId() customerId: string,
    @Param('orderId', new ParseUUIDPipe()) orderId: string,
  ): Promise<OrderView> {
    const order = await this.orders.findOrder(orderId);
    if (!order || order.userId !== customerId) throw new OrderNotFoundError(orderId);
    return order;
  }

  @Get('users/:userId/orders')
  listUserOrders(
    @CustomerId() customerId: string,
    @Param('userId', ParseUserIdPipe) userId: string,
    @Query() query: ListOrdersQueryDto,
  ): Promise<OrderPage> {
    assertOwnUser(customerId, userId);
    return this.orders.listUserOrders(userId, query.limit, query.cursor);
  }
}

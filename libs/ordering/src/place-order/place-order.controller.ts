import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import { validationFailed } from '@redpacket/platform';
import type { FastifyReply } from 'fastify';
import { OrderView } from '../order.view';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency/request-fingerprint';
import { PlaceOrderDto } from './place-order.dto';
import { PlaceOrderService } from './place-order.service';

export const REPLAYED_HEADER = 'idempotent-replayed';

@ApiTags('orders')
@Controller('orders')
export class PlaceOrderController {
  constructor(private readonly placeOrders: PlaceOrderService) {}

  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'Unique per intended order; 1-255 printable ASCII',
  })
  @ApiCreatedResponse({
    type: OrderView,
    description: 'Created, or the stored response replayed (Idempotent-Replayed: true)',
  })
  async placeOrder(
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() order: PlaceOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object> {
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw validationFailed([
        {
          field: 'Idempotency-Key',
          messages: ['Idempotency-Key header is required: 1-255 printable ASCII characters'],
        },
      ]);
    }
    const result = await this.placeOrders.placeOrder(idempotencyKey, order);
    void reply.status(result.status);
    if (result.replayed) void reply.header(REPLAYED_HEADER, 'true');
    return result.body;
  }
}

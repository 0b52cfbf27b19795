import { Body, Controller, Headers, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { isSpanContextValid, SpanKind, trace } from '@opentelemetry/api';
import { contextOf, inSpan } from '@redpacket/observability';
import { CustomerGuard, CustomerId, validationFailed } from '@redpacket/platform';
import type { FastifyReply } from 'fastify';
import { OrderView } from '../order.view';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency/request-fingerprint';
import { OrderAdmission } from './order-admission.service';
import { PlaceOrderDto } from './place-order.dto';
import { PlaceOrderService } from './place-order.service';

export const REPLAYED_HEADER = 'idempotent-replayed';

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before sending the same request again', schema: { type: 'integer' } },
};

@ApiTags('orders')
@ApiBearerAuth()
@UseGuards(CustomerGuard)
@Controller('orders')
export class PlaceOrderController {
  constructor(
    private readonly placeOrders: PlaceOrderService,
    private readonly admission: OrderAdmission,
  ) {}

  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'Unique per intended order of this customer; 16-255 printable ASCII (a UUID will do)',
  })
  @ApiCreatedResponse({
    type: OrderView,
    description: 'Created, or the stored response replayed (Idempotent-Replayed: true)',
  })
  @ApiTooManyRequestsResponse({
    description: 'This customer already has ORDER_MAX_IN_FLIGHT_PER_CUSTOMER orders in progress; nothing written',
    headers: RETRY_AFTER,
  })
  @ApiServiceUnavailableResponse({
    description:
      'The service is at ORDER_MAX_IN_FLIGHT and its queue is full, or no database connection came free; nothing written',
    headers: RETRY_AFTER,
  })
  async placeOrder(
    @CustomerId() customerId: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
    @Body() order: PlaceOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object> {
    // The edge starts its own trace: a caller's W3C traceparent is a link, never the parent, so no client
    // can graft the order's spans into another trace or switch their recording off (flags 00).
    const caller = trace.getSpanContext(contextOf(traceparent));
    return inSpan(
      'POST /orders',
      {
        kind: SpanKind.SERVER,
        root: true,
        attributes: { 'http.request.method': 'POST', 'http.route': '/orders' },
        links: caller && isSpanContextValid(caller) ? [{ context: caller }] : [],
      },
      async (span) => {
        const body = await this.place(customerId, idempotencyKey, order, reply);
        span.setAttribute('http.response.status_code', reply.statusCode);
        return body;
      },
    );
  }

  private async place(
    customerId: string,
    idempotencyKey: string | undefined,
    order: PlaceOrderDto,
    reply: FastifyReply,
  ): Promise<object> {
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw validationFailed([
        {
          field: 'Idempotency-Key',
          messages: ['Idempotency-Key header is required: 16-255 printable ASCII characters'],
        },
      ]);
    }
    const result = await this.admission.whileAdmitted(customerId, clientGone(reply), () =>
      this.placeOrders.placeOrder(customerId, idempotencyKey, order),
    );
    void reply.status(result.status);
    if (result.replayed) void reply.header(REPLAYED_HEADER, 'true');
    return result.body;
  }
}

/** Aborts when the connection closes before the response was sent: the client hung up. */
function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) gone.abort();
  });
  return gone.signal;
}

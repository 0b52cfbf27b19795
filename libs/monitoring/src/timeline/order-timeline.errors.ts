import { RedpacketError } from '@redpacket/errors';

/** 404: no order with this id, so no timeline. */
export class OrderTimelineNotFoundError extends RedpacketError {
  readonly code = 'ORDER_NOT_FOUND';
  readonly retriable = false;

  constructor(orderId: string) {
    super(`no order ${orderId}`);
  }
}

import { RedpacketError } from '@redpacket/errors';

/** 404: no order with this id, or not the caller's (which the answer does not tell apart). */
export class OrderNotFoundError extends RedpacketError {
  readonly code = 'ORDER_NOT_FOUND';
  readonly retriable = false;

  constructor(orderId: string) {
    super(`order ${orderId} not found`);
  }
}

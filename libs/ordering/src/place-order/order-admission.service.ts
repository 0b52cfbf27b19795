import { Inject, Injectable } from '@nestjs/common';
import { ORDERING_OPTIONS, type OrderAdmissionOptions, type OrderingOptions } from '../ordering.options';
import { InFlightLimiter, type Permit } from './in-flight-limiter';
import { CustomerOrdersInFlightError, OrdersOverloadedError } from './order-admission.errors';

/**
 * Admits an order before it touches the database, or refuses it at once: 429 when its customer already
 * has their share in flight, 503 when the process has as many orders running and queued as it takes.
 * Without it, one customer's burst held every pooled connection waiting for that customer's lock, and
 * everyone else (other customers, the relay, the readiness check) timed out on the pool.
 */
@Injectable()
export class OrderAdmission {
  private readonly limiter: InFlightLimiter;
  private readonly limits: OrderAdmissionOptions;

  constructor(@Inject(ORDERING_OPTIONS) options: OrderingOptions) {
    this.limits = options.admission;
    this.limiter = new InFlightLimiter(options.admission);
  }

  /**
   * Runs `work` holding one of the customer's slots and one of the process's, released when the work
   * settles, whatever its outcome. A client that hangs up while queued leaves the queue; once running,
   * its order still runs to the end on its connection, so its slots are held until then.
   */
  async whileAdmitted<T>(customerId: string, clientGone: AbortSignal, work: () => Promise<T>): Promise<T> {
    const admission = this.limiter.admit(customerId);
    if (!admission.admitted) {
      throw admission.reason === 'customer-limit'
        ? new CustomerOrdersInFlightError(this.limits.perCustomer)
        : new OrdersOverloadedError();
    }
    try {
      if (!(await this.turnOf(admission, clientGone))) throw new OrdersOverloadedError();
      return await work();
    } finally {
      admission.release();
    }
  }

  /** A queued permit waits at most maxQueueWaitMs, and not at all for a client that has gone. */
  private async turnOf(permit: Permit, clientGone: AbortSignal): Promise<boolean> {
    if (!permit.queued) return true;
    if (clientGone.aborted) return false;
    const giveUp = () => permit.release();
    const timer = setTimeout(giveUp, this.limits.maxQueueWaitMs);
    clientGone.addEventListener('abort', giveUp, { once: true });
    try {
      return await permit.turn;
    } finally {
      clearTimeout(timer);
      clientGone.removeEventListener('abort', giveUp);
    }
  }
}

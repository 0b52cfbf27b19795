import type { OrderingOptions } from '../ordering.options';
import type { InFlightLimits } from './in-flight-limiter';
import { OrderAdmission } from './order-admission.service';

const admissionWith = (limits: InFlightLimits, maxQueueWaitMs = 60_000) =>
  new OrderAdmission({ admission: { ...limits, maxQueueWaitMs } } as OrderingOptions);

/** Work that runs until `finish` is called. */
function heldWork() {
  let finish: () => void = () => undefined;
  const done = new Promise<string>((resolve) => (finish = () => resolve('done')));
  return { work: () => done, finish: () => finish() };
}

const stillThere = () => new AbortController().signal;

describe('OrderAdmission', () => {
  it('refuses the customer beyond their bound with CUSTOMER_ORDERS_IN_FLIGHT, and frees the slot when the work fails', async () => {
    const admission = admissionWith({ perCustomer: 1, running: 5, queued: 0 });
    const held = heldWork();
    const running = admission.whileAdmitted('alice', stillThere(), held.work);
    await expect(admission.whileAdmitted('alice', stillThere(), held.work)).rejects.toMatchObject({
      code: 'CUSTOMER_ORDERS_IN_FLIGHT',
      retryAfterSeconds: 1,
    });
    held.finish();
    await running;

    await expect(
      admission.whileAdmitted('alice', stillThere(), () => Promise.reject(new Error('statement failed'))),
    ).rejects.toThrow('statement failed');
    await expect(admission.whileAdmitted('alice', stillThere(), () => Promise.resolve('again'))).resolves.toBe('again');
  });

  it('refuses with ORDERS_OVERLOADED an order that waited in the queue longer than maxQueueWaitMs', async () => {
    const admission = admissionWith({ perCustomer: 5, running: 1, queued: 1 }, 10);
    const held = heldWork();
    const running = admission.whileAdmitted('a', stillThere(), held.work);
    await expect(admission.whileAdmitted('b', stillThere(), held.work)).rejects.toMatchObject({
      code: 'ORDERS_OVERLOADED',
    });
    // The queue is empty again: the next order waits in it, and runs once the slot is free.
    const queued = admission.whileAdmitted('c', stillThere(), () => Promise.resolve('ran'));
    held.finish();
    await expect(Promise.all([running, queued])).resolves.toEqual(['done', 'ran']);
  });

  it('takes out of the queue the order of a client that hung up, leaving its place to the next', async () => {
    const admission = admissionWith({ perCustomer: 5, running: 1, queued: 1 });
    const held = heldWork();
    const running = admission.whileAdmitted('a', stillThere(), held.work);
    const hangUp = new AbortController();
    let ran = false;
    const gone = admission.whileAdmitted('b', hangUp.signal, async () => (ran = true));
    hangUp.abort();
    await expect(gone).rejects.toMatchObject({ code: 'ORDERS_OVERLOADED' });

    const next = admission.whileAdmitted('c', stillThere(), () => Promise.resolve('ran'));
    held.finish();
    await expect(Promise.all([running, next])).resolves.toEqual(['done', 'ran']);
    expect(ran).toBe(false);
  });
});

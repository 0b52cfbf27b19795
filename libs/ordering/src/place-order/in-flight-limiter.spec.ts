import { type Admission, InFlightLimiter, type Permit } from './in-flight-limiter';

function admitted(admission: Admission): Permit {
  if (!admission.admitted) throw new Error(`refused: ${admission.reason}`);
  return admission;
}

describe('InFlightLimiter', () => {
  it("refuses a customer's order beyond their bound, and admits it again once one of theirs is released", async () => {
    const limiter = new InFlightLimiter({ perCustomer: 2, running: 10, queued: 0 });
    const [first, second] = [admitted(limiter.admit('alice')), admitted(limiter.admit('alice'))];
    expect(limiter.admit('alice')).toEqual({ admitted: false, reason: 'customer-limit' });
    expect(await first.turn).toBe(true);
    expect(await second.turn).toBe(true);

    first.release();
    expect(admitted(limiter.admit('alice')).queued).toBe(false);
  });

  it('serves other customers while one customer is at their bound', () => {
    const limiter = new InFlightLimiter({ perCustomer: 1, running: 3, queued: 0 });
    admitted(limiter.admit('hot'));
    expect(limiter.admit('hot').admitted).toBe(false);
    expect(admitted(limiter.admit('bob')).queued).toBe(false);
    expect(admitted(limiter.admit('carol')).queued).toBe(false);
    expect(limiter.inFlightOf('hot')).toBe(1);
  });

  it('queues beyond the running bound, refuses beyond the queue, and hands a released slot to the first in line', async () => {
    const limiter = new InFlightLimiter({ perCustomer: 5, running: 1, queued: 2 });
    const running = admitted(limiter.admit('a'));
    const [next, last] = [admitted(limiter.admit('b')), admitted(limiter.admit('c'))];
    expect([next.queued, last.queued]).toEqual([true, true]);
    expect(limiter.admit('d')).toEqual({ admitted: false, reason: 'overloaded' });
    expect(limiter.inFlightOf('d')).toBe(0);

    running.release();
    expect(await next.turn).toBe(true);
    expect(next.queued).toBe(false);
    expect(last.queued).toBe(true);
    expect([limiter.running, limiter.queued]).toEqual([1, 1]);
  });

  it('counts a queued order against its customer, and frees both when it leaves the queue', async () => {
    const limiter = new InFlightLimiter({ perCustomer: 1, running: 1, queued: 1 });
    const running = admitted(limiter.admit('a'));
    const waiting = admitted(limiter.admit('b'));
    expect(limiter.admit('b')).toEqual({ admitted: false, reason: 'customer-limit' });

    waiting.release();
    expect(await waiting.turn).toBe(false);
    expect([limiter.queued, limiter.inFlightOf('b')]).toEqual([0, 0]);
    running.release();
    expect([limiter.running, limiter.queued]).toEqual([0, 0]);
  });

  it('releases once however often release is called', () => {
    const limiter = new InFlightLimiter({ perCustomer: 2, running: 1, queued: 1 });
    const permit = admitted(limiter.admit('a'));
    const other = admitted(limiter.admit('b'));
    permit.release();
    permit.release();
    expect([limiter.running, limiter.queued, limiter.inFlightOf('a')]).toEqual([1, 0, 0]);
    other.release();
    other.release();
    expect([limiter.running, limiter.queued, limiter.inFlightOf('b')]).toEqual([0, 0, 0]);
  });

  it('refuses limits that would admit nothing', () => {
    expect(() => new InFlightLimiter({ perCustomer: 0, running: 1, queued: 0 })).toThrow(/perCustomer/);
    expect(() => new InFlightLimiter({ perCustomer: 1, running: 1.5, queued: 0 })).toThrow(/running/);
    expect(() => new InFlightLimiter({ perCustomer: 1, running: 1, queued: -1 })).toThrow(/queued/);
  });
});

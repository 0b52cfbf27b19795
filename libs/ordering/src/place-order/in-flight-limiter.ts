export interface InFlightLimits {
  /** Orders of one customer admitted at once, running or waiting for a slot. */
  perCustomer: number;
  /** Orders of the process running against the database at once. */
  running: number;
  /** Orders of the process waiting for a running slot; one more is refused. */
  queued: number;
}

export type RefusalReason = 'customer-limit' | 'overloaded';

export type Admission = { admitted: false; reason: RefusalReason } | ({ admitted: true } & Permit);

export interface Permit {
  /** True while the permit waits in the queue for a running slot. */
  readonly queued: boolean;
  /** Resolves true when the permit may run (at once if it was not queued), false if it left the queue first. */
  readonly turn: Promise<boolean>;
  /** Gives back the running slot and the customer's, or leaves the queue. Safe to call more than once. */
  release(): void;
}

interface Waiter {
  grant(): void;
}

/**
 * Bounds the orders in flight: per customer (so one customer's burst cannot take every slot), and for
 * the whole process, with a bounded FIFO queue in front of the running slots. Refuses at once beyond
 * either bound instead of letting requests pile up on the connection pool. Pure: no timers, no I/O;
 * whoever holds a queued permit decides how long it may wait and calls `release()` to give up.
 */
export class InFlightLimiter {
  private readonly ofCustomer = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  private runningCount = 0;

  constructor(private readonly limits: InFlightLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < (name === 'queued' ? 0 : 1))
        throw new RangeError(
          `InFlightLimiter: ${name} must be a whole number of at least ${name === 'queued' ? 0 : 1}`,
        );
    }
  }

  get running(): number {
    return this.runningCount;
  }

  get queued(): number {
    return this.waiting.length;
  }

  inFlightOf(customerId: string): number {
    return this.ofCustomer.get(customerId) ?? 0;
  }

  admit(customerId: string): Admission {
    const ofCustomer = this.inFlightOf(customerId);
    if (ofCustomer >= this.limits.perCustomer) return { admitted: false, reason: 'customer-limit' };
    if (this.runningCount >= this.limits.running && this.waiting.length >= this.limits.queued)
      return { admitted: false, reason: 'overloaded' };
    this.ofCustomer.set(customerId, ofCustomer + 1);
    return this.permitFor(customerId);
  }

  private permitFor(customerId: string): { admitted: true } & Permit {
    let state: 'queued' | 'running' | 'released' = 'running';
    let settle: (mayRun: boolean) => void = () => undefined;
    const waiter: Waiter = {
      grant: () => {
        state = 'running';
        this.runningCount += 1;
        settle(true);
      },
    };
    let turn: Promise<boolean>;
    if (this.runningCount < this.limits.running) {
      this.runningCount += 1;
      turn = Promise.resolve(true);
    } else {
      state = 'queued';
      turn = new Promise<boolean>((resolve) => (settle = resolve));
      this.waiting.push(waiter);
    }
    return {
      admitted: true,
      get queued() {
        return state === 'queued';
      },
      turn,
      release: () => {
        if (state === 'released') return;
        if (state === 'queued') {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          settle(false);
        } else {
          this.runningCount -= 1;
          this.waiting.shift()?.grant();
        }
        state = 'released';
        this.leave(customerId);
      },
    };
  }

  private leave(customerId: string): void {
    const left = this.inFlightOf(customerId) - 1;
    if (left > 0) this.ofCustomer.set(customerId, left);
    // No entry per customer seen: the map holds only customers with orders in flight.
    else this.ofCustomer.delete(customerId);
  }
}

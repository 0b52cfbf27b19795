import { breakDown, grantCommitMeanMs, type OrderTimeline, type StageName } from './stage-breakdown';

/** An order whose instants are the given offsets (ms) from a fixed start. */
function timeline(offsets: Omit<OrderTimeline, 'sentAtMs'>): OrderTimeline {
  const start = 1_764_000_000_000;
  return {
    sentAtMs: start,
    answeredAtMs: start + offsets.answeredAtMs,
    orderStartedAtMs: start + offsets.orderStartedAtMs,
    sendStartedAtMs: start + offsets.sendStartedAtMs,
    ackedAtMs: start + offsets.ackedAtMs,
    grantStartedAtMs: start + offsets.grantStartedAtMs,
  };
}

const meanOf = (breakdown: ReturnType<typeof breakDown>, stage: StageName) =>
  breakdown.stages.find((s) => s.stage === stage)?.meanMs;

describe('breakDown', () => {
  it('splits an order into stages whose means add up to client → grant start', () => {
    const orders = [
      timeline({ orderStartedAtMs: 1, answeredAtMs: 3, sendStartedAtMs: 5, ackedAtMs: 8, grantStartedAtMs: 10 }),
      timeline({ orderStartedAtMs: 2, answeredAtMs: 4, sendStartedAtMs: 9, ackedAtMs: 12, grantStartedAtMs: 20 }),
    ];
    const breakdown = breakDown(orders, 1.5);
    expect(meanOf(breakdown, 'request')).toBeCloseTo(1.5);
    expect(meanOf(breakdown, 'orderCommit')).toBeCloseTo(2);
    expect(meanOf(breakdown, 'relayWake')).toBeCloseTo(3.5);
    expect(meanOf(breakdown, 'sendToAck')).toBeCloseTo(3);
    expect(meanOf(breakdown, 'ackToGrant')).toBeCloseTo(5);
    expect(meanOf(breakdown, 'grantCommit')).toBe(1.5);
    const perOrder = breakdown.stages.filter((s) => s.stage !== 'grantCommit').reduce((sum, s) => sum + s.meanMs, 0);
    expect(perOrder).toBeCloseTo(15); // the mean of 10 and 20
    expect(breakdown.orders).toBe(2);
  });

  it('ends the order commit at the send when the relay sent before the 201 arrived', () => {
    const order = timeline({
      orderStartedAtMs: 1,
      answeredAtMs: 6,
      sendStartedAtMs: 4,
      ackedAtMs: 7,
      grantStartedAtMs: 9,
    });
    const breakdown = breakDown([order], Number.NaN);
    expect(meanOf(breakdown, 'orderCommit')).toBeCloseTo(3);
    expect(meanOf(breakdown, 'relayWake')).toBe(0);
  });

  it('gives the grant transaction no percentiles, only the mean it was given', () => {
    const breakdown = breakDown(
      [timeline({ orderStartedAtMs: 1, answeredAtMs: 2, sendStartedAtMs: 3, ackedAtMs: 4, grantStartedAtMs: 5 })],
      2,
    );
    expect(breakdown.stages.find((s) => s.stage === 'grantCommit')).toEqual({
      stage: 'grantCommit',
      p50Ms: Number.NaN,
      p99Ms: Number.NaN,
      meanMs: 2,
    });
  });
});

describe('grantCommitMeanMs', () => {
  it('is the histogram mean, plus half a millisecond for Date.now(), less the measured order time → grant start', () => {
    // Two grants observed 12 ms and 14 ms after their order; their transactions started 10 ms and 11 ms after it.
    expect(grantCommitMeanMs({ sumSeconds: 0.026, count: 2 }, [10, 11])).toBeCloseTo(13.5 - 10.5);
  });

  it('is not known when the histogram counted other grants than the load', () => {
    expect(grantCommitMeanMs({ sumSeconds: 0.039, count: 3 }, [10, 11])).toBeNaN();
    expect(grantCommitMeanMs({ sumSeconds: 0, count: 0 }, [])).toBeNaN();
  });
});

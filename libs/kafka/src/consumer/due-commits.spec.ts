import { DueCommits } from './due-commits';

describe('DueCommits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tries a failed commit again after a delay that doubles up to the bound', () => {
    const due = new DueCommits({ initialDelayMs: 100, maxDelayMs: 300 });
    const retries: number[] = [];
    const retry = () => {
      retries.push(Date.now());
      due.failed(2, 'coordinator away', async () => retry());
      return Promise.resolve();
    };
    const start = Date.now();
    due.failed(2, 'coordinator away', async () => retry());

    jest.advanceTimersByTime(100 + 200 + 300 + 300);

    expect(retries.map((at) => at - start)).toEqual([100, 300, 600, 900]);
    expect(due.list()).toEqual([{ partition: 2, failingSinceMs: start, attempts: 5, error: 'coordinator away' }]);
  });

  it('runs nothing for a partition settled before its retry, and lists it no more', () => {
    const due = new DueCommits({ initialDelayMs: 100, maxDelayMs: 1_000 });
    const retry = jest.fn(async () => undefined);
    due.failed(0, 'timeout', retry);
    due.failed(1, 'timeout', retry);

    due.settled(0);
    jest.advanceTimersByTime(100);

    expect(retry).toHaveBeenCalledTimes(1);
    expect(due.list().map((commit) => commit.partition)).toEqual([1]);
  });

  it('forgets every due commit on clear: a join delivers them again from the committed offsets', () => {
    const due = new DueCommits({ initialDelayMs: 100, maxDelayMs: 1_000 });
    const retry = jest.fn(async () => undefined);
    due.failed(0, 'timeout', retry);
    due.failed(3, 'timeout', retry);

    due.clear();
    jest.advanceTimersByTime(10_000);

    expect(retry).not.toHaveBeenCalled();
    expect(due.list()).toEqual([]);
  });
});

import { MonitorHistory } from './monitor-history';

describe('MonitorHistory', () => {
  it('keeps only the samples inside the window, oldest first', () => {
    const history = new MonitorHistory(10_000);
    for (const at of [0, 4_000, 8_000, 12_000, 16_000]) history.add({ at, lag: {}, probeDelayMs: {} });
    expect(history.all().map((s) => s.at)).toEqual([8_000, 12_000, 16_000]);
  });
});

import { originOf, summarizeCpuProfile } from './cpu-profile';

describe('a CPU profile summary', () => {
  it('names each frame by the package, the lib or the runtime it comes from', () => {
    expect(originOf('file:///repo/node_modules/@nestjs/core/router/x.js', 'f')).toBe('@nestjs/core');
    expect(originOf('file:///repo/node_modules/pg/lib/client.js', 'f')).toBe('pg');
    expect(originOf('file:///repo/libs/ordering/src/place-order/place-order.service.ts', 'f')).toBe('libs/ordering');
    expect(originOf('node:internal/streams/readable', 'f')).toBe('node');
    expect(originOf('', '(garbage collector)')).toBe('garbage collector');
  });

  it("shares self time out of the busy time, leaving idle samples out, and charges the runtime's work to its caller", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const summary = summarizeCpuProfile({
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('validate', '/r/node_modules/class-validator/a.js') },
        { id: 3, callFrame: frame('query', '/r/node_modules/pg/b.js'), children: [4] },
        { id: 4, callFrame: frame('writev', '') },
      ],
      samples: [1, 2, 2, 3, 4, 1],
      timeDeltas: [5_000, 3_000, 3_000, 1_000, 1_000, 7_000],
    });
    expect(summary.busyMs).toBe(8);
    expect(summary.byOrigin).toEqual([
      { name: 'class-validator', percent: 75 },
      { name: 'pg', percent: 25 },
    ]);
    expect(summary.topFunctions).toEqual([
      { name: 'validate (class-validator)', percent: 75 },
      { name: 'query (pg)', percent: 12.5 },
      { name: 'writev (node)', percent: 12.5 },
    ]);
  });

  it('leaves out the samples of the first milliseconds asked', () => {
    const frame = (functionName: string) => ({ functionName, url: '/r/node_modules/pg/b.js', lineNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('boot') },
        { id: 2, callFrame: frame('query') },
      ],
      samples: [1, 1, 2],
      timeDeltas: [1_000, 1_000, 1_000],
    };
    expect(summarizeCpuProfile(profile, 2.5).topFunctions).toEqual([{ name: 'query (pg)', percent: 100 }]);
    expect(summarizeCpuProfile(profile, 2.5).busyMs).toBe(1);
  });
});

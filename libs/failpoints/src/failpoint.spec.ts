import { parseFailpoints } from './failpoint';

describe('parseFailpoints', () => {
  it('is empty when nothing is named', () => {
    expect(parseFailpoints(undefined).size).toBe(0);
    expect(parseFailpoints('').size).toBe(0);
  });

  it('reads crash (the default), delay and error actions', () => {
    const points = parseFailpoints('a, b=crash, c=delay:250, d=error, e=delay-once:10, f=error-once');
    expect([...points.entries()]).toEqual([
      ['a', { kind: 'crash' }],
      ['b', { kind: 'crash' }],
      ['c', { kind: 'delay', ms: 250 }],
      ['d', { kind: 'error' }],
      ['e', { kind: 'delay', ms: 10, once: true }],
      ['f', { kind: 'error', once: true }],
    ]);
  });

  it('refuses an unknown action', () => {
    expect(() => parseFailpoints('a=explode')).toThrow(/unknown failpoint action/);
  });
});

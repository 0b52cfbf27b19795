import { processByKey } from './process-by-key';

interface Msg {
  key: string;
  n: number;
}

const msgs = (spec: string): Msg[] => spec.split(' ').map((token, n) => ({ key: token, n }));

/** A handler whose completion order the test controls. */
function controlledHandler() {
  const started: number[] = [];
  const release = new Map<number, () => void>();
  const handle = (m: Msg) =>
    new Promise<void>((resolve) => {
      started.push(m.n);
      release.set(m.n, resolve);
    });
  return { started, release: (n: number) => release.get(n)?.(), handle };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('processByKey', () => {
  it('keeps each key in order and runs different keys concurrently', async () => {
    const handler = controlledHandler();
    const done = processByKey(msgs('a b a b'), (m) => m.key, 4, handler.handle);
    await flush();
    expect(handler.started).toEqual([0, 1]); // first of a and first of b, not the second a
    handler.release(1);
    await flush();
    expect(handler.started).toEqual([0, 1, 3]); // b's next may go while a's first is still running
    handler.release(0);
    await flush();
    expect(handler.started).toEqual([0, 1, 3, 2]);
    handler.release(2);
    handler.release(3);
    await done;
  });

  it('never runs more than `concurrency` keys at once', async () => {
    const handler = controlledHandler();
    const done = processByKey(msgs('a b c d'), (m) => m.key, 2, handler.handle);
    await flush();
    expect(handler.started).toEqual([0, 1]);
    handler.release(0);
    await flush();
    expect(handler.started).toEqual([0, 1, 2]);
    [1, 2, 3].forEach((n) => handler.release(n));
    await flush();
    handler.release(3);
    await done;
  });

  it('starts nothing new after a failure and rethrows it', async () => {
    const seen: number[] = [];
    const run = processByKey(
      msgs('a a b'),
      (m) => m.key,
      1,
      async (m) => {
        seen.push(m.n);
        if (m.n === 0) throw new Error('boom');
      },
    );
    await expect(run).rejects.toThrow('boom');
    expect(seen).toEqual([0]);
  });

  it('handles an empty batch', async () => {
    await expect(
      processByKey(
        [],
        () => 'k',
        3,
        async () => undefined,
      ),
    ).resolves.toBeUndefined();
  });

  it('starts nothing new once it may not continue, and lets the running ones finish', async () => {
    const handler = controlledHandler();
    let running = true;
    const done = processByKey(
      msgs('a a b b'),
      (m) => m.key,
      2,
      handler.handle,
      () => running,
    );
    await flush();
    expect(handler.started).toEqual([0, 2]);
    running = false;
    handler.release(0);
    handler.release(2);
    await done;
    expect(handler.started).toEqual([0, 2]);
  });
});

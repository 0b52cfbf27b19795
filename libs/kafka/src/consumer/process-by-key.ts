/**
 * Processes a partition's batch with concurrency across keys and strict order within a key:
 * messages of one key (one user) run one after another, up to `concurrency` keys at a time.
 * On the first failure no new message starts; running ones finish; the failure is rethrown.
 * Once `canContinue` answers false (the partition was taken away, the consumer stops), no new message
 * starts either, and it resolves when the running ones have finished.
 */
export async function processByKey<M>(
  messages: M[],
  keyOf: (message: M) => string,
  concurrency: number,
  handle: (message: M) => Promise<void>,
  canContinue: () => boolean = () => true,
): Promise<void> {
  const chains = new Map<string, M[]>();
  for (const message of messages) {
    const key = keyOf(message);
    const chain = chains.get(key);
    if (chain) chain.push(message);
    else chains.set(key, [message]);
  }
  const queue = [...chains.values()];
  let failure: { error: unknown } | undefined;

  async function worker(): Promise<void> {
    for (let chain = queue.shift(); chain && !failure; chain = queue.shift()) {
      for (const message of chain) {
        if (failure || !canContinue()) return;
        try {
          await handle(message);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  if (failure) throw failure.error;
}

/**
 * An `it` whose row is kept even when it fails before its invariants are measured: `rows` gets
 * `failed(first line of the error)` then, so a scenario that does not finish shows as a failure in
 * docs/guarantees.md rather than leaving its row out.
 */
export function recordedScenario<Row>(rows: Row[], failed: (error: string) => Row) {
  return (name: string, run: () => Promise<void>): void => {
    it(name, async () => {
      const measured = rows.length;
      try {
        await run();
      } catch (error) {
        if (rows.length === measured) rows.push(failed((error as Error).message.split('\n')[0]));
        throw error;
      }
    });
  };
}

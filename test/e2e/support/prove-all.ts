/**
 * Whether this run proves everything (`npm run prove`, or PROVE_ALL=1) or is CI's representative
 * subset: the default grant path on the default client in full, the other ways in the rows that tell
 * them apart. `.ci/run` must stay within its time; `npm run prove` has none.
 */
export function provingAll(): boolean {
  return process.env.PROVE_WRITE === '1' || process.env.PROVE_ALL === '1';
}

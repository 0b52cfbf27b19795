/**
 * The constructor a settings mixin extends. TypeScript recognises a mixin only when the base constructor
 * takes `...args: any[]`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConfigConstructor<Instance = object> = new (...args: any[]) => Instance;

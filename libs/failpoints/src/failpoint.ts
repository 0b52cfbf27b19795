import { RedpacketError } from '@redpacket/errors';

/**
 * Named points where tests make a process crash or stall, to prove recovery.
 * Inert unless FAILPOINTS names them, e.g. FAILPOINTS="relay.after-send=crash,grant.before-commit=delay:500".
 * Actions: crash (SIGKILL), delay:<ms>, delay-once:<ms> (the first hit only), error, error-once.
 */
export type FailpointAction =
  { kind: 'crash' } | { kind: 'delay'; ms: number; once?: boolean } | { kind: 'error'; once?: boolean };

export function parseFailpoints(spec: string | undefined): Map<string, FailpointAction> {
  const points = new Map<string, FailpointAction>();
  for (const entry of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, action = 'crash'] = entry.split('=');
    if (action === 'crash') points.set(name, { kind: 'crash' });
    else if (action === 'error') points.set(name, { kind: 'error' });
    else if (action === 'error-once') points.set(name, { kind: 'error', once: true });
    else if (action.startsWith('delay:')) points.set(name, { kind: 'delay', ms: Number(action.slice(6)) });
    else if (action.startsWith('delay-once:'))
      points.set(name, { kind: 'delay', ms: Number(action.slice(11)), once: true });
    else throw new Error(`unknown failpoint action "${action}" for ${name}`);
  }
  return points;
}

// Read straight from the environment, not the config library: failpoints are a test harness concern,
// must work in every process and script (including those without an app config), and are inert when unset.
const active = parseFailpoints(process.env.FAILPOINTS);

export class FailpointError extends RedpacketError {
  readonly code = 'FAILPOINT';
  readonly retriable = true;
}

/** Call at a named point. Costs one map lookup when no failpoint is set. */
export async function failpoint(name: string): Promise<void> {
  const action = active.get(name);
  if (!action) return;
  switch (action.kind) {
    case 'crash':
      // SIGKILL: no shutdown hooks, no flushing — exactly what a power cut or OOM kill does.
      process.stderr.write(`${JSON.stringify({ level: 'fatal', message: 'failpoint crash', failpoint: name })}\n`);
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined); // never resumes
      return;
    case 'delay':
      if (action.once) active.delete(name);
      await new Promise((resolve) => setTimeout(resolve, action.ms));
      return;
    case 'error':
      if (action.once) active.delete(name);
      throw new FailpointError(`failpoint ${name}`);
  }
}

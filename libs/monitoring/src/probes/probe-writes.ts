/** How the monitor's probe writes are going: a monitor that cannot write probes measures nothing. */
export interface ProbeWritesReading {
  /** Milliseconds since the first of the writes that failed in a row; 0 while they succeed. */
  failingForMs: number;
  /** Failing for at least the bound: the monitor is blind, and says so. */
  blind: boolean;
  lastError?: string;
}

/**
 * Follows the monitor's probe writes. Writes failing in a row for `blindAfterMs` (one probe interval: two
 * failed writes) make the monitor blind: `failed` says so once, when it happens, and `written` once, when
 * a write succeeds again. A single failed write (the order service restarting) is not worth an alert.
 */
export class ProbeWrites {
  private failingSince: number | undefined;
  private lastError: string | undefined;
  private wasBlind = false;

  constructor(private readonly blindAfterMs: number) {}

  /** A write failed; returns true when that made the monitor blind. */
  failed(error: string, nowMs: number): boolean {
    this.failingSince ??= nowMs;
    this.lastError = error;
    if (this.wasBlind || nowMs - this.failingSince < this.blindAfterMs) return false;
    this.wasBlind = true;
    return true;
  }

  /** A write succeeded; returns true when the monitor was blind until now. */
  written(): boolean {
    const recovered = this.wasBlind;
    this.failingSince = undefined;
    this.lastError = undefined;
    this.wasBlind = false;
    return recovered;
  }

  reading(nowMs: number): ProbeWritesReading {
    return {
      failingForMs: this.failingSince === undefined ? 0 : nowMs - this.failingSince,
      blind: this.wasBlind,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}

import { redactUrl } from '@redpacket/config';
import type { LoggerService } from '@nestjs/common';
import type { Metrics } from '@redpacket/observability';

/** A probe arrived late, or never; or the monitor could not have probes written at all (it is blind). */
export type ProbeAlertReason = 'late' | 'not-arrived' | 'not-written';

export interface ProbeAlert {
  observer: string;
  reason: ProbeAlertReason;
  /** The probe's partition; absent when no probe was written. */
  partition?: number;
  delayMs: number;
  thresholdMs: number;
  /** Why no probe was written. */
  error?: string;
}

export interface ProbeAlertOptions {
  thresholdMs: number;
  /** Optional: each alert is also POSTed there as JSON. */
  webhookUrl?: string;
}

const WEBHOOK_TIMEOUT_MS = 2_000;

/**
 * Raises a probe alert three ways: a `warn` log line, the `redpacket_probe_alerts_total` counter,
 * and, when configured, a webhook. A failing webhook is logged and never breaks the caller.
 */
export class ProbeAlerter {
  constructor(
    private readonly options: ProbeAlertOptions,
    private readonly metrics: Metrics,
    private readonly logger: LoggerService,
  ) {}

  get thresholdMs(): number {
    return this.options.thresholdMs;
  }

  raise(alert: Omit<ProbeAlert, 'thresholdMs'>): void {
    const full: ProbeAlert = { ...alert, thresholdMs: this.options.thresholdMs };
    this.metrics.probeAlerts.inc({ observer: alert.observer, reason: alert.reason });
    this.logger.warn(alert.reason === 'not-written' ? 'probes not written' : 'probe delay over threshold', { ...full });
    if (this.options.webhookUrl) void this.post(this.options.webhookUrl, full);
  }

  private async post(url: string, alert: ProbeAlert): Promise<void> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...alert, at: new Date().toISOString() }),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      // A chat webhook's path is its secret: the log names only where it points.
      this.logger.warn('probe alert webhook failed', { webhook: redactUrl(url), error: (error as Error).message });
    }
  }
}

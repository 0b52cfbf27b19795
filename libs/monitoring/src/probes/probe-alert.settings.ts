import { ToInt } from '@redpacket/config';
import { IsInt, IsOptional, IsUrl, Min } from 'class-validator';
import type { ProbeAlertOptions } from './probe-alerter';

/**
 * Adds the probe alert variables to an app's configuration class. Both the reward service (late
 * probes) and the monitor (late or missing probes) alert the same way.
 */
// TypeScript recognises a mixin only when the base constructor takes `...args: any[]`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor = new (...args: any[]) => object;

export function WithProbeAlerts<Base extends Constructor>(base: Base) {
  class ProbeAlertConfig extends base {
    /** A probe seen later than this (or not at all by then) raises an alert. */
    @ToInt()
    @IsInt()
    @Min(10)
    PROBE_ALERT_THRESHOLD_MS = 5_000;

    /** Optional: every alert is also POSTed here as JSON. */
    @IsOptional()
    @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
    PROBE_ALERT_WEBHOOK_URL?: string;
  }
  return ProbeAlertConfig;
}

export function probeAlertOptions(config: {
  PROBE_ALERT_THRESHOLD_MS: number;
  PROBE_ALERT_WEBHOOK_URL?: string;
}): ProbeAlertOptions {
  return { thresholdMs: config.PROBE_ALERT_THRESHOLD_MS, webhookUrl: config.PROBE_ALERT_WEBHOOK_URL };
}

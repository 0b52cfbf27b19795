import type { Metrics } from '@redpacket/observability';
import type { ProbeAlerter } from './probe-alerter';

/**
 * What a consumer tells about each probe it reads (the reward service drops probes from business
 * logic and hands them here): the write-to-arrival delay goes to `redpacket_probe_delay_seconds`,
 * and a delay over the threshold alerts, at most once per partition per threshold period.
 */
export class ProbeDelayRecorder {
  private readonly lastAlertAt = new Map<number, number>();

  constructor(
    private readonly observer: string,
    private readonly metrics: Metrics,
    private readonly alerter: ProbeAlerter,
  ) {}

  observe(partition: number, sentAtMs: number, arrivedAtMs: number): void {
    if (!Number.isFinite(sentAtMs)) return;
    const delayMs = Math.max(0, arrivedAtMs - sentAtMs);
    this.metrics.probeDelay.observe({ observer: this.observer, partition: String(partition) }, delayMs / 1_000);
    if (delayMs <= this.alerter.thresholdMs) return;
    const last = this.lastAlertAt.get(partition) ?? -Infinity;
    if (arrivedAtMs - last < this.alerter.thresholdMs) return;
    this.lastAlertAt.set(partition, arrivedAtMs);
    this.alerter.raise({ observer: this.observer, reason: 'late', partition, delayMs });
  }
}

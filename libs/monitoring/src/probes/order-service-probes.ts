import type { SentProbe } from './pending-probes';
import type { ProbeSource } from './probe-writer';

const REQUEST_TIMEOUT_MS = 5_000;

/**
 * The monitor's probe source: asks the order service (`POST /admin/probes`, admin token) to write
 * the probes, since only the order service may write order.purchased.
 */
export class OrderServiceProbes implements ProbeSource {
  constructor(
    private readonly orderServiceUrl: string,
    private readonly adminToken: string | undefined,
  ) {}

  async writeAll(writerId: string): Promise<SentProbe[]> {
    const response = await fetch(new URL('/admin/probes', this.orderServiceUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.adminToken ?? ''}` },
      body: JSON.stringify({ writerId }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status !== 201) throw new Error(`the order service answered ${response.status} to a probe write`);
    const { probes } = (await response.json()) as { probes: { partition: number; offset: string; sentAtMs: number }[] };
    return probes.map((probe) => ({
      partition: probe.partition,
      offset: BigInt(probe.offset),
      sentAtMs: probe.sentAtMs,
    }));
  }
}

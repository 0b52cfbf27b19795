import { BaseConfig, ToBoolean, ToInt } from '@redpacket/config';
import { WithProbeAlerts } from '@redpacket/monitoring';
import { IsBoolean, IsInt, IsUrl, Max, Min } from 'class-validator';

export class MonitorConfig extends WithProbeAlerts(BaseConfig) {
  /** How often consumer lag, outbox backlog and counters are read. */
  @ToInt()
  @IsInt()
  @Min(200)
  @Max(300_000)
  MONITOR_POLL_INTERVAL_MS = 2_000;

  /** While nothing moves (no lag, no backlog, no new orders) the poll slows down to this. */
  @ToInt()
  @IsInt()
  @Min(200)
  @Max(300_000)
  MONITOR_POLL_MAX_INTERVAL_MS = 10_000;

  /** How much history the live page charts. */
  @ToInt()
  @IsInt()
  @Min(10)
  @Max(86_400)
  MONITOR_HISTORY_SECONDS = 600;

  /** A partition whose committed offset has not moved this long while messages wait behind it is stalled. */
  @ToInt()
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  MONITOR_STALL_AFTER_MS = 60_000;

  @ToBoolean()
  @IsBoolean()
  PROBES_ENABLED = true;

  /**
   * The order service that writes the probes (its `POST /admin/probes`, with ADMIN_TOKEN): it alone may
   * write order.purchased.
   */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'ORDER_SERVICE_URL must be an http(s) URL' })
  ORDER_SERVICE_URL = 'http://127.0.0.1:3000';

  /** A probe goes into every partition of order.purchased this often. */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  PROBE_INTERVAL_MS = 5_000;
}

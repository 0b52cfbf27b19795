import { BaseConfig, ToBoolean, ToInt } from '@redpacket/config';
import { WithProbeAlerts } from '@redpacket/monitoring';
import { IsBoolean, IsInt, IsString, IsUrl, Length, Max, Min, ValidateIf } from 'class-validator';

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

  /**
   * Write one probe per partition of `order.purchased` every PROBE_INTERVAL_MS and measure how long each
   * takes to be seen.
   */
  @ToBoolean()
  @IsBoolean()
  PROBES_ENABLED = true;

  /**
   * The order service that writes the probes (its `POST /admin/probes`, with PROBE_WRITE_TOKEN): it alone
   * may write order.purchased.
   */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'ORDER_SERVICE_URL must be an http(s) URL' })
  ORDER_SERVICE_URL = 'http://127.0.0.1:3000';

  /** A probe goes into every partition of order.purchased this often. */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  PROBE_INTERVAL_MS = 5_000;

  /**
   * The token the monitor presents to the order service to write probes: a credential there holding only
   * the `probes` scope. The monitor holds no other admin token. Outside production it falls back to
   * ADMIN_TOKEN; in production it is required while PROBES_ENABLED.
   */
  @ValidateIf((config: MonitorConfig) => config.PROBE_WRITE_TOKEN !== undefined || mustWriteProbes(config))
  @IsString({ message: 'PROBE_WRITE_TOKEN is required in production while PROBES_ENABLED' })
  @Length(16, 256, { message: 'PROBE_WRITE_TOKEN must be 16-256 characters' })
  PROBE_WRITE_TOKEN?: string;

  /** The token probe writes carry. */
  probeWriteToken(): string | undefined {
    return this.PROBE_WRITE_TOKEN ?? this.ADMIN_TOKEN;
  }
}

function mustWriteProbes(config: MonitorConfig): boolean {
  return config.NODE_ENV === 'production' && config.PROBES_ENABLED;
}

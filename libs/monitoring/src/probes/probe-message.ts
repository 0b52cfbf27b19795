import { EVENT_HEADERS, headerText, probeSentAtMs } from '@redpacket/contracts';
import type { IncomingHeaders, OutgoingMessage } from '@redpacket/kafka';

/** Header naming the monitor instance that wrote a probe: each monitor tracks only its own. */
export const PROBE_WRITER_HEADER = 'probe-writer';

/** A probe for one partition: no business payload, only headers a consumer can test cheaply. */
export function probeMessage(writerId: string, partition: number, sentAtMs: number): OutgoingMessage {
  return {
    partition,
    key: null,
    value: null,
    headers: {
      [EVENT_HEADERS.probe]: 'true',
      [EVENT_HEADERS.probeSentAt]: String(sentAtMs),
      [PROBE_WRITER_HEADER]: writerId,
    },
  };
}

export interface ReadProbe {
  writerId: string;
  sentAtMs: number;
}

/** The probe fields of a message, or undefined when it is not a probe. */
export function readProbe(headers: IncomingHeaders | undefined): ReadProbe | undefined {
  const sentAtMs = probeSentAtMs(headers);
  if (sentAtMs === undefined) return undefined;
  return { writerId: headerText(headers?.[PROBE_WRITER_HEADER]) ?? '', sentAtMs };
}

/** Token under which a module offers parts of the app's readiness: a ReadinessCheck, or a list of them. */
export const READINESS_CHECK = Symbol('READINESS_CHECK');

/** `ready`, and whatever details say why (shown in the readiness answer). */
export interface ReadinessReport {
  ready: boolean;
  /**
   * Set while the part works less than fully although the app can still do its main job (an outbox
   * relay waiting for Kafka while orders are still taken): named in the answer, never a 503 by itself.
   */
  degraded?: string;
}

/** A part of the app whose own state decides readiness, beyond its database answering. */
export interface ReadinessCheck {
  readonly readinessName: string;
  readiness(): ReadinessReport;
}

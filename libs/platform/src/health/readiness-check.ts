/** Token under which a module offers a part of the app's readiness (any number of providers). */
export const READINESS_CHECK = Symbol('READINESS_CHECK');

/** `ready`, and whatever details say why (shown in the readiness answer). */
export interface ReadinessReport {
  ready: boolean;
}

/** A part of the app whose own state decides readiness, beyond its database and broker answering. */
export interface ReadinessCheck {
  readonly readinessName: string;
  readiness(): ReadinessReport;
}

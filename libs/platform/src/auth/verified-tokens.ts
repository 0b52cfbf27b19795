/**
 * Tokens already verified, so a customer's next request with the same token skips the signature check
 * (an HMAC or a public-key verify: a quarter of the order service's CPU per request without this).
 *
 * The key is the whole token, signature included: a token differing in one byte is verified afresh. An
 * entry answers only until the token's own `exp` (and not before its `nbf`), so nothing is accepted that
 * verifying it again would refuse, except a token signed by a JWKS key removed since: it is accepted
 * until it expires, as it would be by any service that had verified it once. Only tokens that verified
 * are stored, and at most `capacity` of them: the oldest go first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { subject: string; notBeforeMs: number; expiresAtMs: number }>();

  constructor(
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token's subject if it verified before and is in its validity window now. */
  subjectOf(token: string): string | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    const now = this.now();
    if (now >= entry.expiresAtMs) {
      this.entries.delete(token);
      return undefined;
    }
    return now >= entry.notBeforeMs ? entry.subject : undefined;
  }

  /** Remembers a verified token; `exp` and `nbf` are the token's claims, in seconds. */
  remember(token: string, subject: string, claims: { exp?: number; nbf?: number }): void {
    if (claims.exp === undefined) return;
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { subject, notBeforeMs: (claims.nbf ?? 0) * 1_000, expiresAtMs: claims.exp * 1_000 });
  }
}

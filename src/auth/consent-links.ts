// Consent links: our own /auth/login URL carrying a signed, expiring reference to one GitHub
// account. Signed rather than stored, so a batch can issue thousands without writing a row each;
// the sign-in it starts refuses any other account than the one named.
import { createHmac, timingSafeEqual } from "node:crypto";
import { InvalidConsentLinkError } from "./errors.js";

export const CONSENT_LINK_PARAM = "consent";
const DEFAULT_LIFETIME_SECONDS = 30 * 24 * 3600;

interface ConsentReference {
  githubId: number;
  /** The login when the link was issued: a hint for GitHub's account picker, never trusted. */
  login: string | null;
}

interface SignedPayload {
  gid: number;
  login: string | null;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

interface ConsentLinksOptions {
  baseUrl: string;
  /** SESSION_SECRET; a key is derived from it so a consent signature never doubles as a cookie one. */
  secret: string;
  lifetimeSeconds?: number;
  now?: () => Date;
}

export class ConsentLinks {
  readonly #baseUrl: string;
  readonly #key: Buffer;
  readonly #lifetimeSeconds: number;
  readonly #now: () => Date;

  constructor({ baseUrl, secret, lifetimeSeconds = DEFAULT_LIFETIME_SECONDS, now = () => new Date() }: ConsentLinksOptions) {
    this.#baseUrl = baseUrl;
    this.#key = createHmac("sha256", secret).update("consent-link v1").digest();
    this.#lifetimeSeconds = lifetimeSeconds;
    this.#now = now;
  }

  /** The absolute URL to send the user (e-mail, notification, the application's own UI). */
  createConsentLink(githubId: number, login: string | null): string {
    const payload: SignedPayload = { gid: githubId, login, exp: Math.floor(this.#now().getTime() / 1000) + this.#lifetimeSeconds };
    const encoded = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
    const url = new URL("/auth/login", this.#baseUrl);
    url.searchParams.set(CONSENT_LINK_PARAM, `${encoded}.${this.#sign(encoded)}`);
    return url.toString();
  }

  /** Throws InvalidConsentLinkError for a forged, altered or expired reference. */
  verify(reference: string): ConsentReference {
    const [encoded, signature, extra] = reference.split(".");
    if (!encoded || !signature || extra !== undefined) throw new InvalidConsentLinkError("malformed");
    const expected = Buffer.from(this.#sign(encoded), "base64url");
    const presented = Buffer.from(signature, "base64url");
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new InvalidConsentLinkError("malformed");
    }
    const payload = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as SignedPayload;
    if (!Number.isSafeInteger(payload.gid) || payload.gid <= 0) throw new InvalidConsentLinkError("malformed");
    if (payload.exp * 1000 <= this.#now().getTime()) throw new InvalidConsentLinkError("expired");
    return { githubId: payload.gid, login: typeof payload.login === "string" ? payload.login : null };
  }

  #sign(encoded: string): string {
    return createHmac("sha256", this.#key).update(encoded, "utf8").digest("base64url");
  }
}

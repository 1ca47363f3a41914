// The signed-in user's session: a signed, HttpOnly, SameSite=Lax cookie carrying the GitHub id,
// the expiry and a random session id. Nothing is stored server-side; the session id only feeds the
// CSRF token of the session's forms.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { POSITIVE_ID_DIGITS } from "../users/input-rules.js";

/** `<github id>.<expiry, unix seconds>.<random id>`, signed. */
const SESSION_VALUE = new RegExp(`^(${POSITIVE_ID_DIGITS})\\.(\\d{1,12})\\.([A-Za-z0-9_-]{22})$`);

const SESSION_LIFETIME_SECONDS = 8 * 3600;

export interface Session {
  githubId: number;
  expiresAt: Date;
  id: string;
}

interface SessionCookiesOptions {
  /** SESSION_SECRET. */
  secret: string;
  /** True when BASE_URL is https: the cookie is then Secure and gets the __Host- prefix. */
  secure: boolean;
  lifetimeSeconds?: number;
  now?: () => Date;
}

export class SessionCookies {
  readonly #secret: string;
  readonly #csrfKey: Buffer;
  readonly #secure: boolean;
  readonly #name: string;
  readonly #lifetimeSeconds: number;
  readonly #now: () => Date;

  constructor({ secret, secure, lifetimeSeconds = SESSION_LIFETIME_SECONDS, now = () => new Date() }: SessionCookiesOptions) {
    this.#secret = secret;
    this.#csrfKey = createHmac("sha256", secret).update("csrf v1").digest();
    this.#secure = secure;
    // __Host- makes the browser refuse the cookie unless Secure, Path=/ and host-only.
    this.#name = secure ? "__Host-session" : "session";
    this.#lifetimeSeconds = lifetimeSeconds;
    this.#now = now;
  }

  async start(c: Context, githubId: number): Promise<Session> {
    const expiresAt = new Date(this.#now().getTime() + this.#lifetimeSeconds * 1000);
    const session: Session = { githubId, expiresAt, id: randomBytes(16).toString("base64url") };
    const value = `${githubId}.${Math.floor(expiresAt.getTime() / 1000)}.${session.id}`;
    await setSignedCookie(c, this.#name, value, this.#secret, {
      path: "/",
      httpOnly: true,
      secure: this.#secure,
      sameSite: "Lax",
      maxAge: this.#lifetimeSeconds,
    });
    return session;
  }

  /** The session, or null when there is none, its signature fails or it has expired. */
  async read(c: Context): Promise<Session | null> {
    const value = await getSignedCookie(c, this.#secret, this.#name);
    if (!value) return null;
    const match = SESSION_VALUE.exec(value);
    if (!match) return null;
    const expiresAt = new Date(Number(match[2]) * 1000);
    if (expiresAt.getTime() <= this.#now().getTime()) return null;
    return { githubId: Number(match[1]), expiresAt, id: match[3] as string };
  }

  end(c: Context): void {
    deleteCookie(c, this.#name, { path: "/", secure: this.#secure, httpOnly: true, sameSite: "Lax" });
  }

  /** The hidden-field token of this session's forms. */
  csrfToken(session: Session): string {
    return createHmac("sha256", this.#csrfKey).update(session.id, "utf8").digest("base64url");
  }

  csrfTokenMatches(session: Session, presented: string | undefined): boolean {
    if (!presented) return false;
    const expected = Buffer.from(this.csrfToken(session), "utf8");
    const given = Buffer.from(presented, "utf8");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

// Binds a sign-in to the browser that started it: /auth/login leaves the state in a short-lived
// signed cookie, and the callback must bring the same one back. Without it, a callback URL minted
// in an attacker's browser would sign a victim's browser into the attacker's account (login CSRF).
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";

const NAME = "sign_in_state";
const PATH = "/auth/callback";
/** As long as the state itself lives. */
const LIFETIME_SECONDS = 10 * 60;

export class SignInCookie {
  readonly #secret: string;
  readonly #secure: boolean;

  constructor({ secret, secure }: { secret: string; secure: boolean }) {
    this.#secret = secret;
    this.#secure = secure;
  }

  async remember(c: Context, state: string): Promise<void> {
    // Lax still travels on the top-level redirect back from GitHub.
    await setSignedCookie(c, NAME, state, this.#secret, {
      path: PATH,
      httpOnly: true,
      secure: this.#secure,
      sameSite: "Lax",
      maxAge: LIFETIME_SECONDS,
    });
  }

  /** The state this browser started, or undefined (none, expired, or its signature fails). */
  async read(c: Context): Promise<string | undefined> {
    return (await getSignedCookie(c, this.#secret, NAME)) || undefined;
  }

  forget(c: Context): void {
    deleteCookie(c, NAME, { path: PATH, secure: this.#secure, httpOnly: true, sameSite: "Lax" });
  }
}

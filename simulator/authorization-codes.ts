// Authorization codes of the web flow: 10 minutes, single use, bound to client, redirect URI and
// (when the flow used PKCE) an S256 code challenge.
import { createHash } from "node:crypto";
import { tokenStrings } from "./token-strings.js";

const CODE_LIFETIME_MS = 10 * 60 * 1000;

interface AuthorizationCode {
  code: string;
  clientId: string;
  login: string;
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: Date;
}

type CodeRedemption =
  | { ok: true; grant: AuthorizationCode }
  | { ok: false; error: "bad_verification_code" | "redirect_uri_mismatch" };

export class AuthorizationCodes {
  private readonly codes = new Map<string, AuthorizationCode>();

  constructor(private readonly now: () => Date) {}

  issue(grant: Omit<AuthorizationCode, "code" | "expiresAt">): string {
    const code = tokenStrings.authorizationCode();
    this.codes.set(code, { ...grant, code, expiresAt: new Date(this.now().getTime() + CODE_LIFETIME_MS) });
    return code;
  }

  /**
   * Uses up a code. GitHub documents one answer for a code that is "incorrect, expired, or doesn't
   * match what you received in the first request for authorization": `bad_verification_code` — a
   * wrong or missing PKCE verifier included. A code that was presented is gone afterwards either
   * way, so a failed attempt means starting the flow again, as GitHub's docs advise.
   */
  redeem(request: { code: string; clientId: string; redirectUri: string | undefined; codeVerifier: string | undefined }): CodeRedemption {
    const grant = this.codes.get(request.code);
    if (!grant || grant.clientId !== request.clientId) return { ok: false, error: "bad_verification_code" };
    this.codes.delete(request.code);
    if (grant.expiresAt.getTime() <= this.now().getTime()) return { ok: false, error: "bad_verification_code" };
    if (request.redirectUri !== undefined && request.redirectUri !== grant.redirectUri) return { ok: false, error: "redirect_uri_mismatch" };
    if (grant.codeChallenge !== null && (!request.codeVerifier || s256(request.codeVerifier) !== grant.codeChallenge)) {
      return { ok: false, error: "bad_verification_code" };
    }
    return { ok: true, grant };
  }

  clear() {
    this.codes.clear();
  }
}

/** RFC 7636 S256: BASE64URL(SHA256(verifier)). */
function s256(codeVerifier: string): string {
  return createHash("sha256").update(codeVerifier).digest("base64url");
}

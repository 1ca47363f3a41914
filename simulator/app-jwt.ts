// Verifies the App's JWTs the way GitHub does: RS256 over the App's public key, `iss` = the App id
// (or its client id), `iat` not in the future, `exp` in the future and at most 10 minutes away.
import { createPublicKey, verify, type KeyObject } from "node:crypto";

/** GitHub tolerates some clock drift; Octokit backdates `iat` by 30 seconds for the same reason. */
const CLOCK_SKEW_SECONDS = 60;
const MAX_LIFETIME_SECONDS = 600;

type JwtVerdict = { ok: true } | { ok: false; message: string };

export class AppJwtVerifier {
  private readonly publicKey: KeyObject;

  constructor(
    publicKeyPem: string,
    private readonly app: { id: number; clientId: string },
    private readonly now: () => Date,
  ) {
    this.publicKey = createPublicKey(publicKeyPem);
  }

  verify(jwt: string): JwtVerdict {
    const parts = jwt.split(".");
    const [headerPart, payloadPart, signaturePart] = parts;
    if (parts.length !== 3 || !headerPart || !payloadPart || signaturePart === undefined) return undecodable;
    const header = parseJsonPart(headerPart);
    const payload = parseJsonPart(payloadPart);
    if (!header || !payload || header.alg !== "RS256") return undecodable;
    const signed = verify("RSA-SHA256", Buffer.from(`${headerPart}.${payloadPart}`), this.publicKey, Buffer.from(signaturePart, "base64url"));
    if (!signed) return undecodable;
    if (String(payload.iss) !== String(this.app.id) && payload.iss !== this.app.clientId) {
      return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
    }
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    if (typeof payload.iat !== "number" || payload.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
      return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued." };
    }
    if (typeof payload.exp !== "number" || payload.exp <= nowSeconds) {
      return { ok: false, message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires." };
    }
    if (payload.exp > nowSeconds + MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
      return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future." };
    }
    return { ok: true };
  }
}

const undecodable: JwtVerdict = { ok: false, message: "A JSON web token could not be decoded" };

function parseJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

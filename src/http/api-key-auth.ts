// Bearer-key authentication for the service token API and the admin API.
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./errors.js";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Requires `Authorization: Bearer <key>` equal to `expectedKey`. `realm` names the key in the
 * error message so a caller using the wrong one (say, the service key on admin routes) sees why.
 */
export function requireApiKey(options: { expectedKey: string; realm: string }): MiddlewareHandler {
  const assertKey = apiKeyCheck(options);
  return async (c, next) => {
    assertKey(c.req.header("authorization"));
    await next();
  };
}

/**
 * A check that throws the 401 requireApiKey answers unless `authorization` carries `expectedKey` as
 * a bearer key. Digests are compared, so neither the key's length nor its bytes leak through
 * timing; the expected key's digest is computed here, once, not per request.
 */
export function apiKeyCheck({ expectedKey, realm }: { expectedKey: string; realm: string }): (authorization: string | undefined) => void {
  const expectedDigest = digest(expectedKey);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match?.[1]) {
      throw new HttpError(401, "unauthorized", `Send the ${realm} key as "Authorization: Bearer <key>".`, {}, {
        "WWW-Authenticate": `Bearer realm="${realm}"`,
      });
    }
    if (!timingSafeEqual(digest(match[1]), expectedDigest)) {
      throw new HttpError(401, "unauthorized", `The ${realm} key is not valid.`, {}, {
        "WWW-Authenticate": `Bearer realm="${realm}", error="invalid_token"`,
      });
    }
  };
}

// Bearer-key authentication for the service token API and the admin API.
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./errors.js";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
/** The configured keys' digests (the service key and the admin key), computed once, not per request. */
const expectedDigests = new Map<string, Buffer>();

/** Compares digests so neither the key's length nor its bytes leak through timing. */
function keysMatch(presented: string, expected: string): boolean {
  let expectedDigest = expectedDigests.get(expected);
  if (!expectedDigest) {
    expectedDigest = digest(expected);
    // Tests build apps with many keys; a process serves one or two.
    if (expectedDigests.size >= 64) expectedDigests.clear();
    expectedDigests.set(expected, expectedDigest);
  }
  return timingSafeEqual(digest(presented), expectedDigest);
}

/**
 * Requires `Authorization: Bearer <key>` equal to `expectedKey`. `realm` names the key in the
 * error message so a caller using the wrong one (say, the service key on admin routes) sees why.
 */
export function requireApiKey({ expectedKey, realm }: { expectedKey: string; realm: string }): MiddlewareHandler {
  return async (c, next) => {
    assertApiKey(c.req.header("authorization"), { expectedKey, realm });
    await next();
  };
}

/** Throws the 401 requireApiKey answers unless `authorization` carries `expectedKey` as a bearer key. */
export function assertApiKey(authorization: string | undefined, { expectedKey, realm }: { expectedKey: string; realm: string }): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match?.[1]) {
    throw new HttpError(401, "unauthorized", `Send the ${realm} key as "Authorization: Bearer <key>".`, {}, {
      "WWW-Authenticate": `Bearer realm="${realm}"`,
    });
  }
  if (!keysMatch(match[1], expectedKey)) {
    throw new HttpError(401, "unauthorized", `The ${realm} key is not valid.`, {}, {
      "WWW-Authenticate": `Bearer realm="${realm}", error="invalid_token"`,
    });
  }
}

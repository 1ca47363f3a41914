// `return_to` only ever leads to a path of ours: anything a browser could read as another origin
// (absolute URLs, `//host`, backslashes that some browsers turn into slashes, schemes, control
// characters) is refused with the reason, never silently replaced.
import { ReturnPathError } from "./errors.js";

const MAX_LENGTH = 512;
/** Returning into the sign-in routes themselves would loop. */
const FORBIDDEN_PREFIX = "/auth/";
const PROBE_ORIGIN = "http://return-path.invalid";

export function parseReturnPath(input: string | undefined, fallback: string): string {
  if (input === undefined || input === "") return fallback;
  if (input.length > MAX_LENGTH) throw new ReturnPathError(`it is longer than ${MAX_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(input)) throw new ReturnPathError("it contains control characters");
  if (input.includes("\\")) throw new ReturnPathError("it contains a backslash");
  if (!input.startsWith("/")) throw new ReturnPathError("it must be a path on this site, starting with /");
  if (input.startsWith("//")) throw new ReturnPathError("it names another host");
  const resolved = new URL(input, PROBE_ORIGIN);
  if (resolved.origin !== PROBE_ORIGIN) throw new ReturnPathError("it names another host");
  if (`${resolved.pathname}/`.startsWith(FORBIDDEN_PREFIX)) throw new ReturnPathError("it points back into the sign-in pages");
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

// Token bytes must never reach a log line, an error body or a plaintext column. Structured fields
// are redacted by path; anything that still looks like a GitHub token is masked wherever it sits.

/** GitHub's token prefixes: user-to-server, refresh, OAuth, server-to-server, personal, fine-grained. */
const GITHUB_TOKEN_PATTERN = /\b(gh[uorsp]|github_pat)_[A-Za-z0-9_]{8,}/g;

export function maskTokens(text: string): string {
  return text.replace(GITHUB_TOKEN_PATTERN, (_match, prefix: string) => `${prefix}_[redacted]`);
}

/** Returns a copy with every string that looks like a token masked; non-plain objects pass unchanged. */
export function maskTokensDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskTokens(value);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskTokens(value.message), stack: value.stack ? maskTokens(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((item) => maskTokensDeep(item, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskTokensDeep(item, depth + 1)]));
}

/** pino redaction paths for the places tokens and credentials travel in structured logs. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "res.headers['set-cookie']",
  "headers.authorization",
  "request.headers.authorization",
  "err.request.headers.authorization",
  "error.request.headers.authorization",
  "*.token",
  "*.access_token",
  "*.refresh_token",
  "*.accessToken",
  "*.refreshToken",
  "*.client_secret",
  "*.clientSecret",
  "*.code_verifier",
  "*.codeVerifier",
];

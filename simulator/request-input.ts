// Reads request parameters the way GitHub's OAuth endpoints accept them: query string, form body
// or JSON body, merged (body wins).
import type { Context } from "hono";
import type { SimulatorEnv } from "./runtime.js";

export async function readParams(c: Context<SimulatorEnv>): Promise<Record<string, string>> {
  const params: Record<string, string> = { ...c.req.query() };
  if (c.req.method === "GET" || c.req.method === "HEAD") return params;
  const contentType = c.req.header("content-type") ?? "";
  if (contentType.includes("application/json")) {
    const body: unknown = await c.req.json().catch(() => ({}));
    if (body && typeof body === "object") {
      for (const [name, value] of Object.entries(body)) if (value !== undefined && value !== null) params[name] = String(value);
    }
    return params;
  }
  const text = await c.req.text();
  for (const [name, value] of new URLSearchParams(text)) params[name] = value;
  return params;
}

/** `Authorization: token X` or `Bearer X`. */
export function bearerToken(c: Context<SimulatorEnv>): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  return match?.[1];
}

export function basicCredentials(c: Context<SimulatorEnv>): { username: string; password: string } | undefined {
  const match = /^basic\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

import { describe, expect, it } from "@jest/globals";
import { Hono } from "hono";
import { SessionCookies } from "../../../src/auth/session-cookies.js";

const SECRET = "s".repeat(32);

/** An app that starts a session on /start and answers the session it reads on /read. */
function appWith(sessions: SessionCookies) {
  const app = new Hono();
  app.get("/start", async (c) => c.json(await sessions.start(c, 583231)));
  app.get("/read", async (c) => c.json(await sessions.read(c)));
  return app;
}

async function startAndRead(sessions: SessionCookies, reader = sessions) {
  const started = await appWith(sessions).request("/start");
  const setCookie = started.headers.get("set-cookie") ?? "";
  const read = await appWith(reader).request("/read", { headers: { cookie: setCookie.split(";")[0] ?? "" } });
  return { setCookie, session: (await read.json()) as { githubId: number } | null };
}

describe("session cookies", () => {
  it("are Secure with the __Host- prefix when BASE_URL is https", async () => {
    const { setCookie, session } = await startAndRead(new SessionCookies({ secret: SECRET, secure: true }));
    expect(setCookie).toMatch(/^__Host-session=.*; Max-Age=28800; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(session?.githubId).toBe(583231);
  });

  it("are not accepted once their 8 hours are over, whatever the browser keeps", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const sessions = new SessionCookies({ secret: SECRET, secure: false, now: () => now });
    const started = await appWith(sessions).request("/start");
    const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    now = new Date("2026-01-01T08:00:00Z");
    const read = await appWith(sessions).request("/read", { headers: { cookie } });
    expect(await read.json()).toBeNull();
  });

  it("are not accepted when signed with another secret", async () => {
    const { session } = await startAndRead(
      new SessionCookies({ secret: SECRET, secure: false }),
      new SessionCookies({ secret: "t".repeat(32), secure: false }),
    );
    expect(session).toBeNull();
  });

  it("give each session its own CSRF token", async () => {
    const sessions = new SessionCookies({ secret: SECRET, secure: false });
    const a = { githubId: 1, expiresAt: new Date(), id: "a".repeat(22) };
    const b = { ...a, id: "b".repeat(22) };
    expect(sessions.csrfTokenMatches(a, sessions.csrfToken(a))).toBe(true);
    expect(sessions.csrfTokenMatches(b, sessions.csrfToken(a))).toBe(false);
    expect(sessions.csrfTokenMatches(a, undefined)).toBe(false);
  });
});

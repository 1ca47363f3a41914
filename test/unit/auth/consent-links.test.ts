import { describe, expect, it } from "@jest/globals";
import { ConsentLinks } from "../../../src/auth/consent-links.js";
import { InvalidConsentLinkError } from "../../../src/auth/errors.js";

const SECRET = "s".repeat(32);

function referenceOf(link: string): string {
  return new URL(link).searchParams.get("consent") ?? "";
}

describe("consent links", () => {
  const links = new ConsentLinks({ baseUrl: "https://app.example.com", secret: SECRET });

  it("are our /auth/login URL, naming the user only through a signed reference", () => {
    const link = new URL(links.createConsentLink(583231, "octocat"));
    expect(`${link.origin}${link.pathname}`).toBe("https://app.example.com/auth/login");
    expect([...link.searchParams.keys()]).toEqual(["consent"]);
    expect(links.verify(referenceOf(link.toString()))).toEqual({ githubId: 583231, login: "octocat" });
  });

  it("refuse a reference whose payload was changed to another user", () => {
    const [payload = "", signature] = referenceOf(links.createConsentLink(1, "a")).split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), gid: 2 })).toString("base64url");
    expect(() => links.verify(`${forged}.${signature}`)).toThrow(InvalidConsentLinkError);
  });

  it("refuse a reference signed with another secret", () => {
    const other = new ConsentLinks({ baseUrl: "https://app.example.com", secret: "t".repeat(32) });
    expect(() => links.verify(referenceOf(other.createConsentLink(1, "a")))).toThrow(InvalidConsentLinkError);
  });

  it.each(["", "abc", "a.b.c", "not base64.at all"])("refuse the malformed reference %j", (reference) => {
    expect(() => links.verify(reference)).toThrow(expect.objectContaining({ problem: "malformed" }));
  });

  it("expire", () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const timed = new ConsentLinks({ baseUrl: "https://app.example.com", secret: SECRET, lifetimeSeconds: 3600, now: () => now });
    const reference = referenceOf(timed.createConsentLink(7, null));
    now = new Date("2026-01-01T00:59:59Z");
    expect(timed.verify(reference)).toEqual({ githubId: 7, login: null });
    now = new Date("2026-01-01T01:00:00Z");
    expect(() => timed.verify(reference)).toThrow(expect.objectContaining({ problem: "expired" }));
  });
});

import { describe, expect, it } from "@jest/globals";
import { ReturnPathError } from "../../../src/auth/errors.js";
import { parseReturnPath } from "../../../src/auth/return-path.js";

describe("return_to", () => {
  it("uses the fallback when absent", () => {
    expect(parseReturnPath(undefined, "/me")).toBe("/me");
    expect(parseReturnPath("", "/admin")).toBe("/admin");
  });

  it.each(["/me", "/me?tab=installations", "/admin#flags", "/authors"])("accepts our own path %j", (path) => {
    expect(parseReturnPath(path, "/me")).toBe(path);
  });

  it("normalizes dot segments, which can never climb above our root", () => {
    expect(parseReturnPath("/me/../admin", "/me")).toBe("/admin");
  });

  it.each([
    ["https://evil.example", "must be a path on this site"],
    ["http:/evil.example", "must be a path on this site"],
    ["javascript:alert(1)", "must be a path on this site"],
    ["evil.example/me", "must be a path on this site"],
    ["//evil.example", "names another host"],
    ["/\\evil.example", "backslash"],
    ["\\\\evil.example", "backslash"],
    ["/\t/evil.example", "control characters"],
    ["/me\u0000", "control characters"],
    ["/auth/login", "sign-in pages"],
    ["/auth/callback?code=x", "sign-in pages"],
    [`/${"a".repeat(600)}`, "longer than"],
  ])("refuses %j because %s", (input, reason) => {
    expect(() => parseReturnPath(input, "/me")).toThrow(ReturnPathError);
    expect(() => parseReturnPath(input, "/me")).toThrow(reason);
  });
});

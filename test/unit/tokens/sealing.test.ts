import { randomBytes } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { SealedValueError, TokenSealer } from "../../../src/tokens/sealing.js";

const key = (id: string) => ({ id, key: randomBytes(32) });
const token = "ghu_" + "A1b2C3d4".repeat(4);
const binding = { table: "users", column: "github_app_user_token", rowId: 42 };

describe("sealing tokens", () => {
  const k1 = key("k1");
  const sealer = new TokenSealer([k1]);

  it("opens what it sealed, for the same table, column and row", () => {
    const envelope = sealer.seal(token, binding);
    expect(envelope).toMatch(/^v1\.k1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealer.open(envelope, binding)).toBe(token);
  });

  it("uses a fresh IV every time, so equal tokens never give equal envelopes", () => {
    expect(sealer.seal(token, binding)).not.toBe(sealer.seal(token, binding));
  });

  it("does not open a value moved to another row or another column", () => {
    const envelope = sealer.seal(token, binding);
    expect(() => sealer.open(envelope, { ...binding, rowId: 43 })).toThrow(SealedValueError);
    expect(() => sealer.open(envelope, { ...binding, column: "github_app_refresh_token" })).toThrow(SealedValueError);
    expect(() => sealer.open(envelope, { ...binding, table: "oauth_states" })).toThrow(/copied from another row or column/);
  });

  it("fails loudly for a key id that is unknown or was removed from the configuration", () => {
    const envelope = new TokenSealer([key("old")]).seal(token, binding);
    expect(() => sealer.open(envelope, binding)).toThrow(/key "old", which is not in TOKEN_ENCRYPTION_KEYS/);
  });

  it("refuses tampered ciphertext, tag, IV and key id", () => {
    const envelope = sealer.seal(token, binding);
    const parts = envelope.split(".");
    const flip = (index: number) => {
      const bytes = Buffer.from(parts[index]!, "base64url");
      bytes[0] = bytes[0]! ^ 1;
      return parts.map((part, i) => (i === index ? bytes.toString("base64url") : part)).join(".");
    };
    for (const index of [2, 3, 4]) expect(() => sealer.open(flip(index), binding)).toThrow(SealedValueError);
    // Claiming another configured key in the envelope changes the authenticated data too.
    const twoKeys = new TokenSealer([k1, { id: "k2", key: k1.key }]);
    expect(() => twoKeys.open(envelope.replace("v1.k1.", "v1.k2."), binding)).toThrow(SealedValueError);
    expect(() => sealer.open("not-an-envelope", binding)).toThrow(/not a sealed value/);
  });

  it("keeps no token bytes in the envelope, in any encoding", () => {
    const envelope = sealer.seal(token, binding);
    const decoded = envelope
      .split(".")
      .slice(2)
      .map((part) => Buffer.from(part, "base64url").toString("latin1"))
      .join("");
    for (const haystack of [envelope, decoded]) {
      expect(haystack).not.toContain(token);
      expect(haystack).not.toContain(token.slice(4, 16));
      expect(haystack).not.toContain("ghu_");
    }
  });

  it("reads values sealed under an older key while sealing only under the primary", () => {
    const oldKey = key("old");
    const before = new TokenSealer([oldKey]).seal(token, binding);
    const rotated = new TokenSealer([key("new"), oldKey]);
    expect(rotated.isSealedWithOldKey(before)).toBe(true);
    expect(rotated.open(before, binding)).toBe(token);
    const after = rotated.seal(token, binding);
    expect(rotated.keyIdOf(after)).toBe("new");
    expect(rotated.isSealedWithOldKey(after)).toBe(false);
  });
});

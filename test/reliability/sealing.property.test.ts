// Properties of the sealing envelope, checked over generated inputs rather than a few examples.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { SealedValueError, TokenSealer, type SealBinding } from "../../src/tokens/sealing.js";

const keyA = { id: "a", key: randomBytes(32) };
const keyB = { id: "b", key: randomBytes(32) };

const tokenLike = fc.oneof(
  fc.stringMatching(/^gh[uro]_[A-Za-z0-9]{36,76}$/),
  fc.string({ minLength: 1, maxLength: 255 }),
);
const binding: fc.Arbitrary<SealBinding> = fc.record({
  table: fc.constantFrom("users", "oauth_states"),
  column: fc.constantFrom("github_app_user_token", "github_app_refresh_token", "provider_info.access_token", "code_verifier"),
  rowId: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.stringMatching(/^[0-9a-f]{64}$/)),
});

describe("the sealing envelope", () => {
  it("opens to exactly what was sealed, for any token and any binding", () => {
    const sealer = new TokenSealer([keyA]);
    fc.assert(
      fc.property(tokenLike, binding, (token, where) => {
        expect(sealer.open(sealer.seal(token, where), where)).toBe(token);
      }),
    );
  });

  it("never contains the token's bytes, in any encoding a reader might try", () => {
    const sealer = new TokenSealer([keyA]);
    fc.assert(
      fc.property(fc.stringMatching(/^gh[uro]_[A-Za-z0-9]{36}$/), binding, (token, where) => {
        const envelope = sealer.seal(token, where);
        expect(envelope.startsWith("v1.a.")).toBe(true);
        expect(envelope).not.toContain(token);
        expect(envelope).not.toContain(token.slice(4, 20));
        expect(envelope).not.toContain(Buffer.from(token).toString("base64url").slice(0, 16));
      }),
    );
  });

  it("does not open under any other binding (row, column or table)", () => {
    const sealer = new TokenSealer([keyA]);
    fc.assert(
      fc.property(tokenLike, binding, binding, (token, sealedFor, openedAs) => {
        fc.pre(JSON.stringify(sealedFor) !== JSON.stringify(openedAs));
        expect(() => sealer.open(sealer.seal(token, sealedFor), openedAs)).toThrow(SealedValueError);
      }),
    );
  });

  it("detects any single changed character in the envelope", () => {
    const sealer = new TokenSealer([keyA]);
    fc.assert(
      fc.property(tokenLike, binding, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (token, where, position, replacement) => {
        const envelope = sealer.seal(token, where);
        const index = position % envelope.length;
        fc.pre(envelope[index] !== replacement);
        const tampered = envelope.slice(0, index) + replacement + envelope.slice(index + 1);
        expect(() => sealer.open(tampered, where)).toThrow();
      }),
    );
  });

  it("refuses a non-canonical spelling of the same bytes (the spare bits of a final base64url character)", () => {
    const sealer = new TokenSealer([keyA]);
    const where: SealBinding = { table: "users", column: "github_app_user_token", rowId: 7 };
    const [version, keyId, iv, tag, ciphertext] = sealer.seal("ghu_example", where).split(".") as [string, string, string, string, string];
    // A 16-byte tag is 22 characters whose last one carries 2 unused bits: flipping them keeps the bytes.
    const last = tag.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sameBytes = alphabet[alphabet.indexOf(last) ^ 1]!;
    const respelled = `${tag.slice(0, -1)}${sameBytes}`;
    expect(Buffer.from(respelled, "base64url").equals(Buffer.from(tag, "base64url"))).toBe(true);
    expect(() => sealer.open([version, keyId, iv, respelled, ciphertext].join("."), where)).toThrow("not canonical base64url");
  });

  it("uses a fresh IV every time, so equal tokens never give equal envelopes", () => {
    const sealer = new TokenSealer([keyA]);
    fc.assert(
      fc.property(tokenLike, binding, (token, where) => {
        expect(sealer.seal(token, where)).not.toBe(sealer.seal(token, where));
      }),
      { numRuns: 50 },
    );
  });

  it("opens values of every configured key, seals only with the first, and fails loudly for a removed key", () => {
    const oldSealer = new TokenSealer([keyB]);
    const rotated = new TokenSealer([keyA, keyB]);
    const afterRemoval = new TokenSealer([keyA]);
    fc.assert(
      fc.property(tokenLike, binding, (token, where) => {
        const oldEnvelope = oldSealer.seal(token, where);
        expect(rotated.open(oldEnvelope, where)).toBe(token);
        expect(rotated.isSealedWithOldKey(oldEnvelope)).toBe(true);
        expect(rotated.keyIdOf(rotated.seal(token, where))).toBe("a");
        expect(() => afterRemoval.open(oldEnvelope, where)).toThrow('sealed with key "b", which is not in TOKEN_ENCRYPTION_KEYS');
      }),
      { numRuns: 50 },
    );
  });

  it("rejects anything that is not an envelope with a clear error", () => {
    const sealer = new TokenSealer([keyA]);
    fc.assert(
      fc.property(fc.string(), binding, (garbage, where) => {
        fc.pre(!garbage.startsWith("v1."));
        expect(() => sealer.open(garbage, where)).toThrow(SealedValueError);
      }),
    );
  });
});

// AES-256-GCM envelopes for every token we store: `v1.<kid>.<iv>.<tag>.<ciphertext>` (base64url).
// The additional authenticated data binds a value to its table, column and row, so a sealed token
// copied into another user's row (or another column) does not open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { EncryptionKey } from "../config.js";

const ENVELOPE_VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where a sealed value lives; part of what the seal authenticates. */
export interface SealBinding {
  table: string;
  column: string;
  /** The row's stable identity (users: github_id; oauth_states: state_hash). */
  rowId: string | number;
}

export class SealedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SealedValueError";
  }
}

export class TokenSealer {
  readonly #keys: Map<string, Buffer>;
  readonly #primary: EncryptionKey;

  constructor(keys: EncryptionKey[]) {
    const [primary] = keys;
    if (!primary) throw new Error("TokenSealer needs at least one key");
    this.#primary = primary;
    this.#keys = new Map(keys.map((key) => [key.id, key.key]));
  }

  get primaryKeyId(): string {
    return this.#primary.id;
  }

  seal(plaintext: string, binding: SealBinding): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#primary.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(this.#primary.id, binding));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [ENVELOPE_VERSION, this.#primary.id, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
      .join(".");
  }

  open(envelope: string, binding: SealBinding): string {
    const { keyId, iv, tag, ciphertext } = parseEnvelope(envelope);
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new SealedValueError(`sealed with key "${keyId}", which is not in TOKEN_ENCRYPTION_KEYS`);
    }
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(keyId, binding));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    } catch {
      throw new SealedValueError(
        `sealed value for ${binding.table}.${binding.column} of row ${binding.rowId} does not open: ` +
          "tampered with, or copied from another row or column",
      );
    }
  }

  /** The key id an envelope was sealed with, without opening it. */
  keyIdOf(envelope: string): string {
    return parseEnvelope(envelope).keyId;
  }

  /** True when the value was sealed under a key other than the primary (rotation re-seals it). */
  isSealedWithOldKey(envelope: string): boolean {
    return this.keyIdOf(envelope) !== this.#primary.id;
  }
}

function associatedData(keyId: string, { table, column, rowId }: SealBinding): Buffer {
  return Buffer.from(`${ENVELOPE_VERSION}|${keyId}|${table}|${column}|${rowId}`, "utf8");
}

function parseEnvelope(envelope: string) {
  const parts = envelope.split(".");
  if (parts.length !== 5 || parts[0] !== ENVELOPE_VERSION) {
    throw new SealedValueError("not a sealed value (expected v1.<kid>.<iv>.<tag>.<ciphertext>)");
  }
  const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  const decoded = { keyId, iv: canonicalBase64url(iv), tag: canonicalBase64url(tag), ciphertext: canonicalBase64url(ciphertext) };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new SealedValueError("sealed value has a malformed IV or tag");
  }
  return decoded;
}

/**
 * Buffer.from ignores stray characters and the spare low bits of a final character, so several
 * strings decode to the same bytes; accepting only the canonical one keeps envelopes unmalleable.
 */
function canonicalBase64url(segment: string): Buffer {
  const bytes = Buffer.from(segment, "base64url");
  if (bytes.toString("base64url") !== segment) throw new SealedValueError("sealed value is not canonical base64url");
  return bytes;
}

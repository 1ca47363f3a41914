// Legacy OAuth tokens in GitHub's shapes, made up for tests (the strict import refuses anything else).
import { createHash } from "node:crypto";

function base62Of(seed: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = createHash("sha512").update(seed).digest();
  let text = "";
  for (let index = 0; text.length < length; index += 1) text += alphabet[bytes[index % bytes.length]! % alphabet.length];
  return text;
}

/** `gho_` and 36 base62 characters, the same for the same seed. */
export function legacyAccessToken(seed: string | number): string {
  return `gho_${base62Of(`access:${seed}`, 36)}`;
}

/** `ghr_` and 76 base62 characters, the same for the same seed. */
export function legacyRefreshToken(seed: string | number): string {
  return `ghr_${base62Of(`refresh:${seed}`, 76)}`;
}

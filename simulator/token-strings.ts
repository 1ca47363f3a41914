// Token and code strings in GitHub's formats (prefix + base62).
import { randomBytes, randomInt, randomUUID } from "node:crypto";

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function base62(length: number): string {
  let text = "";
  for (let index = 0; index < length; index++) text += BASE62[randomInt(BASE62.length)];
  return text;
}

export const tokenStrings = {
  appUserAccessToken: () => `ghu_${base62(36)}`,
  oauthAccessToken: () => `gho_${base62(36)}`,
  refreshToken: () => `ghr_${base62(76)}`,
  installationToken: () => `ghs_${base62(36)}`,
  /** GitHub's authorization codes are 20 hex characters. */
  authorizationCode: () => randomBytes(10).toString("hex"),
  deliveryGuid: () => randomUUID(),
};

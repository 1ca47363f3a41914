// Every token the simulated GitHub has issued, with GitHub's lifecycle rules: access tokens expire,
// refresh tokens are single-use, and using one kills the access token it came with.
import { tokenStrings } from "./token-strings.js";

export type ClientKind = "app" | "legacy";

export interface TokenClient {
  kind: ClientKind;
  clientId: string;
}

export interface TokenLifetimes {
  /** null: the token never expires and comes without a refresh token. */
  accessTokenSeconds: number | null;
  refreshTokenSeconds: number;
}

export interface UserTokenRecord {
  id: number;
  login: string;
  client: TokenClient;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface InstallationTokenRecord {
  token: string;
  installationId: number;
  expiresAt: Date;
}

/** GitHub's installation tokens live one hour. */
const INSTALLATION_TOKEN_SECONDS = 3600;

export class TokenLedger {
  private readonly byAccessToken = new Map<string, UserTokenRecord>();
  private readonly byRefreshToken = new Map<string, UserTokenRecord>();
  private readonly installationTokens = new Map<string, InstallationTokenRecord>();
  private nextId = 1;

  constructor(private readonly now: () => Date) {}

  mint(login: string, client: TokenClient, lifetimes: TokenLifetimes): UserTokenRecord {
    const now = this.now();
    const expiring = lifetimes.accessTokenSeconds !== null;
    const record: UserTokenRecord = {
      id: this.nextId++,
      login,
      client,
      accessToken: client.kind === "app" ? tokenStrings.appUserAccessToken() : tokenStrings.oauthAccessToken(),
      refreshToken: expiring ? tokenStrings.refreshToken() : null,
      expiresAt: expiring ? secondsAfter(now, lifetimes.accessTokenSeconds ?? 0) : null,
      refreshTokenExpiresAt: expiring ? secondsAfter(now, lifetimes.refreshTokenSeconds) : null,
      createdAt: now,
      updatedAt: now,
    };
    this.remember(record);
    return record;
  }

  /** The record of an access token that is alive and not expired. */
  liveAccessToken(accessToken: string): UserTokenRecord | undefined {
    const record = this.byAccessToken.get(accessToken);
    if (!record || (record.expiresAt && record.expiresAt.getTime() <= this.now().getTime())) return undefined;
    return record;
  }

  /**
   * Uses a refresh token: it dies with its access token, and a new pair is minted for the same user.
   * undefined = GitHub's `bad_refresh_token` (unknown, used, expired, or another client's).
   */
  rotate(refreshToken: string, clientId: string, lifetimes: TokenLifetimes): UserTokenRecord | undefined {
    const record = this.byRefreshToken.get(refreshToken);
    if (!record || record.client.clientId !== clientId) return undefined;
    if (record.refreshTokenExpiresAt && record.refreshTokenExpiresAt.getTime() <= this.now().getTime()) return undefined;
    this.forget(record);
    return this.mint(record.login, record.client, lifetimes);
  }

  /** `PATCH /applications/{client_id}/token`: a new access token; the old one dies, the refresh token carries over. */
  resetAccessToken(record: UserTokenRecord): UserTokenRecord {
    this.byAccessToken.delete(record.accessToken);
    const now = this.now();
    const lifetime = record.expiresAt && record.createdAt ? record.expiresAt.getTime() - record.createdAt.getTime() : null;
    const reset: UserTokenRecord = {
      ...record,
      id: this.nextId++,
      accessToken: record.client.kind === "app" ? tokenStrings.appUserAccessToken() : tokenStrings.oauthAccessToken(),
      expiresAt: lifetime === null ? null : new Date(now.getTime() + lifetime),
      createdAt: now,
      updatedAt: now,
    };
    this.remember(reset);
    return reset;
  }

  revoke(record: UserTokenRecord) {
    this.forget(record);
  }

  /** Kills every token the user holds for that client; returns how many access tokens died. */
  revokeGrant(login: string, clientId: string): number {
    const doomed = [...this.byAccessToken.values()].filter(
      (record) => record.login.toLowerCase() === login.toLowerCase() && record.client.clientId === clientId,
    );
    for (const record of doomed) this.forget(record);
    return doomed.length;
  }

  expireNow(accessToken: string) {
    const record = this.byAccessToken.get(accessToken);
    if (!record) throw new Error(`Simulator: unknown access token ${accessToken.slice(0, 8)}…`);
    record.expiresAt = new Date(this.now().getTime() - 1000);
  }

  mintInstallationToken(installationId: number): InstallationTokenRecord {
    const record = {
      token: tokenStrings.installationToken(),
      installationId,
      expiresAt: secondsAfter(this.now(), INSTALLATION_TOKEN_SECONDS),
    };
    this.installationTokens.set(record.token, record);
    return record;
  }

  liveInstallationToken(token: string): InstallationTokenRecord | undefined {
    const record = this.installationTokens.get(token);
    return record && record.expiresAt.getTime() > this.now().getTime() ? record : undefined;
  }

  clear() {
    this.byAccessToken.clear();
    this.byRefreshToken.clear();
    this.installationTokens.clear();
  }

  private remember(record: UserTokenRecord) {
    this.byAccessToken.set(record.accessToken, record);
    if (record.refreshToken) this.byRefreshToken.set(record.refreshToken, record);
  }

  private forget(record: UserTokenRecord) {
    this.byAccessToken.delete(record.accessToken);
    if (record.refreshToken) this.byRefreshToken.delete(record.refreshToken);
  }
}

function secondsAfter(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

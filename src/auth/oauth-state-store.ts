// OAuth states: random, single use, ten minutes. Only the state's SHA-256 is stored, with the
// PKCE verifier sealed to that row, so a database reader can neither replay a state nor redeem a
// code with the verifier.
import { createHash, randomBytes } from "node:crypto";
import { Op, QueryTypes } from "sequelize";
import type { Models, OAuthStatePurpose } from "../db/models/index.js";
import type { SealBinding, TokenSealer } from "../tokens/sealing.js";
import { OAuthStateError } from "./errors.js";

const STATE_LIFETIME_MS = 10 * 60 * 1000;
/** Expired rows are kept a day, so a late replay is still told "expired" rather than "unknown". */
const PURGE_AFTER_EXPIRY = "1 day";
const PURGE_BATCH = 100;

interface NewOAuthState {
  purpose: OAuthStatePurpose;
  returnTo: string;
  boundGithubId?: number | null;
}

interface IssuedOAuthState {
  /** Goes to GitHub in the authorize URL and comes back on the callback. */
  state: string;
  codeChallenge: string;
}

export interface ConsumedOAuthState {
  purpose: OAuthStatePurpose;
  returnTo: string;
  boundGithubId: number | null;
  codeVerifier: string;
}

export class OAuthStateStore {
  readonly #models: Models;
  readonly #sealer: TokenSealer;
  readonly #now: () => Date;

  constructor({ models, sealer, now = () => new Date() }: { models: Models; sealer: TokenSealer; now?: () => Date }) {
    this.#models = models;
    this.#sealer = sealer;
    this.#now = now;
  }

  async issue({ purpose, returnTo, boundGithubId = null }: NewOAuthState): Promise<IssuedOAuthState> {
    const state = randomBytes(32).toString("base64url");
    // RFC 7636: 43–128 characters from the unreserved set; 32 random bytes give 43.
    const codeVerifier = randomBytes(32).toString("base64url");
    const stateHash = hashState(state);
    await this.#purgeLongExpired();
    await this.#models.OAuthState.create({
      stateHash,
      codeVerifier: this.#sealer.seal(codeVerifier, verifierBinding(stateHash)),
      returnTo,
      purpose,
      boundGithubId,
      expiresAt: new Date(this.#now().getTime() + STATE_LIFETIME_MS),
    });
    return { state, codeChallenge: createHash("sha256").update(codeVerifier).digest("base64url") };
  }

  /**
   * Marks the state used and returns what it carried. `browserState` is the state the browser's
   * sign-in cookie holds: a state brought by another browser is refused. One conditional UPDATE,
   * so of two racing callbacks exactly one wins; a refused state changes no row.
   */
  async consume(state: string | undefined, browserState: string | undefined): Promise<ConsumedOAuthState> {
    if (!state) throw new OAuthStateError("missing");
    const stateHash = hashState(state);
    if (browserState !== state) throw new OAuthStateError((await this.#problemWith(stateHash)) ?? "other_browser");
    const now = this.#now();
    const [claimed, rows] = await this.#models.OAuthState.update(
      { consumedAt: now },
      { where: { stateHash, consumedAt: null, expiresAt: { [Op.gt]: now } }, returning: true },
    );
    const row = rows[0];
    if (claimed !== 1 || !row) throw new OAuthStateError((await this.#problemWith(stateHash)) ?? "reused");
    return {
      purpose: row.purpose,
      returnTo: row.returnTo,
      boundGithubId: row.boundGithubId ?? null,
      codeVerifier: this.#sealer.open(row.codeVerifier, verifierBinding(stateHash)),
    };
  }

  /** Why a state cannot be used (read only), or null while it is still good. */
  async #problemWith(stateHash: string): Promise<"unknown" | "expired" | "reused" | null> {
    const row = await this.#models.OAuthState.findOne({ where: { stateHash } });
    if (!row) return "unknown";
    if (row.consumedAt) return "reused";
    return row.expiresAt.getTime() <= this.#now().getTime() ? "expired" : null;
  }

  /** Sign-in is unauthenticated, so its rows must not pile up; each issue clears a few old ones. */
  async #purgeLongExpired(): Promise<void> {
    await this.#models.sequelize.query(
      `DELETE FROM oauth_states WHERE id IN (
         SELECT id FROM oauth_states WHERE expires_at < now() - interval '${PURGE_AFTER_EXPIRY}'
         ORDER BY expires_at LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
      { type: QueryTypes.DELETE },
    );
  }
}

function hashState(state: string): string {
  return createHash("sha256").update(state, "utf8").digest("hex");
}

function verifierBinding(stateHash: string): SealBinding {
  return { table: "oauth_states", column: "code_verifier", rowId: stateHash };
}

// The state every route reads: the simulated accounts, tokens, knobs and the webhook sender.
import type { HttpBindings } from "@hono/node-server";
import type { AppJwtVerifier } from "./app-jwt.js";
import type { AuthorizationCodes } from "./authorization-codes.js";
import type { CallCounters } from "./call-counters.js";
import type { FaultBook } from "./faults.js";
import type { HeldCalls } from "./held-calls.js";
import type { RateLimitIdentity, RateLimits, UserTokenRateLimits } from "./rate-limits.js";
import type { ShapeContext } from "./response-shapes.js";
import type { TokenClient, TokenLedger, TokenLifetimes } from "./token-ledger.js";
import type { StartSimulatorOptions } from "./types.js";
import type { WebhookSender } from "./webhook-sender.js";
import type { SimulatorWorld } from "./world.js";

export interface SimulatorSettings extends TokenLifetimes {
  latencyMs: number;
}

/** A registered OAuth client: the GitHub App's own, or the legacy OAuth App. */
export interface RegisteredClient extends TokenClient {
  /** GitHub Apps may hold two secrets at once (rotation): either is accepted. */
  clientSecrets: string[];
  callbackUrl: string | undefined;
  name: string;
}

export interface SimulatorRuntime {
  options: StartSimulatorOptions;
  settings: SimulatorSettings;
  world: SimulatorWorld;
  ledger: TokenLedger;
  codes: AuthorizationCodes;
  faults: FaultBook;
  held: HeldCalls;
  counters: CallCounters;
  rateLimits: RateLimits;
  userTokenRateLimits: UserTokenRateLimits;
  appJwt: AppJwtVerifier;
  webhooks: WebhookSender;
  shapes: ShapeContext;
  now: () => Date;
  /** Aborted by stop(): connections held open by a `timeout` fault are let go. */
  stopping: AbortSignal;
  client(clientId: string): RegisteredClient | undefined;
  /** Lifetimes for a new token of that client: legacy OAuth App tokens do not expire. */
  lifetimesFor(client: TokenClient): TokenLifetimes;
}

export interface SimulatorEnv {
  Bindings: HttpBindings;
  Variables: { rateLimitIdentity: RateLimitIdentity | undefined };
}

// Why a refresh failed for good, in the classes maintainers search by (issue 14's forensics). The
// class is decided from what we know at the moment of failure: the refresh's own history (in doubt
// or not), what GitHub answered, and the row.
import type { RefreshFailureClass } from "../db/models/index.js";

/** GitHub answers this when the App itself may no longer act for the user (suspended, uninstalled). */
const GRANT_GONE_CODES = new Set(["unauthorized_client", "application_suspended", "account_suspended"]);

export interface TerminalFailureFacts {
  /** The refresh settled a row in doubt: an earlier refresh may have spent the pair. */
  settlingDoubt: boolean;
  /** GitHub's OAuth error code (`bad_refresh_token`, …). */
  code: string | null;
  refreshTokenExpiresAt: Date | null;
  /** Every installation this user was known to reach is deleted or suspended (and there was one). */
  installationsGone: boolean;
  now: Date;
}

export function classifyTerminalRefreshFailure(facts: TerminalFailureFacts): RefreshFailureClass {
  if (facts.settlingDoubt) return "interrupted";
  if (facts.code !== null && GRANT_GONE_CODES.has(facts.code)) return "installation_or_account_gone";
  if (facts.refreshTokenExpiresAt !== null && facts.refreshTokenExpiresAt <= facts.now) return "refresh_token_expired";
  if (facts.installationsGone) return "installation_or_account_gone";
  return "unknown";
}

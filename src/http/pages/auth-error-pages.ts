// Signing in's errors, as pages: each says what happened and what the user can do about it.
import {
  AuthorizationDeniedError,
  IdentityMismatchError,
  InvalidConsentLinkError,
  MissingAuthorizationCodeError,
  OAuthStateError,
  ReturnPathError,
} from "../../auth/errors.js";
import { GitHubError, SignInUnavailableError, TransientGitHubError } from "../../github/errors.js";
import { SealedValueError } from "../../tokens/sealing.js";
import { PageError, type PageErrorTranslator } from "./page-errors.js";

const START_AGAIN = { href: "/auth/login", label: "Sign in again" };

const STATE_EXPLANATIONS = {
  missing: "This sign-in link is incomplete: it carries no state, so we cannot tell it was started here.",
  unknown: "We did not start this sign-in, so we refused it. If you followed a link from somewhere else, start from our page instead.",
  expired: "This sign-in took longer than 10 minutes and has expired.",
  reused: "This sign-in link has already been used. Each one works once.",
  other_browser: "This sign-in was started in another browser (or its 10 minutes are over), so we refused it here. Start again from this browser.",
} as const;

interface PageText {
  status: 400 | 403 | 503;
  title: string;
  explanation: string;
}

const UNREGISTERED_CALLBACK: PageText = {
  status: 400,
  title: "Sign-in is misconfigured",
  explanation:
    "GitHub refused to send you back here because this site's callback URL is not registered with the GitHub App. The operators have been told.",
};

/** What GitHub's own `?error=` values mean for the user. */
const DENIAL_PAGES: Record<string, PageText> = {
  access_denied: {
    status: 403,
    title: "You did not authorize the app",
    explanation: "Nothing was changed. You can authorize the GitHub App whenever you are ready.",
  },
  redirect_uri_mismatch: UNREGISTERED_CALLBACK,
  application_suspended: {
    status: 503,
    title: "The GitHub App is suspended",
    explanation: "GitHub has suspended this application, so nobody can authorize it at the moment. Please try again later.",
  },
};

/** Token endpoint errors (HTTP 200 with an `error` body) and what the user sees for each. */
const EXCHANGE_PAGES: Record<string, PageText> = {
  bad_verification_code: {
    status: 400,
    title: "That sign-in code did not work",
    explanation: "GitHub did not accept the code it sent back: it expired, was already used, or did not match this sign-in. Please start again.",
  },
  redirect_uri_mismatch: UNREGISTERED_CALLBACK,
  incorrect_client_credentials: {
    status: 503,
    title: "Sign-in is misconfigured",
    explanation: "GitHub did not accept this site's App credentials. The operators have been told; please try again later.",
  },
  unverified_user_email: {
    status: 403,
    title: "Verify your e-mail address on GitHub first",
    explanation: "GitHub requires a verified primary e-mail address before you can authorize this app. Verify it in your GitHub settings, then sign in again.",
  },
};

export const authErrorPages: PageErrorTranslator = (error) => {
  if (error instanceof OAuthStateError) {
    return new PageError(400, `state_${error.problem}`, "This sign-in cannot be completed", STATE_EXPLANATIONS[error.problem], START_AGAIN);
  }
  if (error instanceof ReturnPathError) {
    return new PageError(400, "invalid_return_to", "That return address is not allowed", `After signing in we only send you to pages of this site, and this one was refused: ${error.reason}.`);
  }
  if (error instanceof InvalidConsentLinkError) {
    return error.problem === "expired"
      ? new PageError(400, "consent_link_expired", "This link has expired", "Links to authorize the app are valid for a limited time. Sign in instead, or ask for a new link.", START_AGAIN)
      : new PageError(400, "consent_link_invalid", "This link is not valid", "The link is incomplete or was altered. Sign in instead, or ask for a new link.", START_AGAIN);
  }
  if (error instanceof AuthorizationDeniedError) {
    const page: PageText = DENIAL_PAGES[error.code] ?? {
      status: 400,
      title: "GitHub did not authorize the app",
      explanation: `GitHub answered "${error.code}".`,
    };
    return new PageError(page.status, error.code, page.title, page.explanation, { href: error.retryPath, label: "Try again" });
  }
  if (error instanceof IdentityMismatchError) {
    return new PageError(
      403,
      "identity_mismatch",
      "This link is for another GitHub account",
      `You are signed in to GitHub as ${error.signedInAs}, but this link is for ${error.expectedAccount}. Nothing was stored. Sign in to GitHub as ${error.expectedAccount} and open the link again.`,
    );
  }
  if (error instanceof MissingAuthorizationCodeError) {
    return new PageError(400, "missing_code", "This sign-in cannot be completed", "GitHub sent you back without an authorization code.", START_AGAIN);
  }
  if (error instanceof SignInUnavailableError) {
    return new PageError(
      503,
      "sign_in_unavailable",
      "Signing in is not available yet",
      "This site cannot sign anyone in with GitHub until its operators configure the GitHub App's OAuth client " +
        "(GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, from the App's settings page on GitHub) and restart it. Nothing was changed.",
    );
  }
  if (error instanceof TransientGitHubError) {
    return new PageError(503, "github_unavailable", "GitHub did not answer", "We could not reach GitHub just now. Please try again in a minute.", START_AGAIN);
  }
  const exchangePage = error instanceof GitHubError && error.code ? EXCHANGE_PAGES[error.code] : undefined;
  if (exchangePage) {
    return new PageError(exchangePage.status, (error as GitHubError).code as string, exchangePage.title, exchangePage.explanation, START_AGAIN);
  }
  if (error instanceof GitHubError) {
    return new PageError(502, "github_refused", "GitHub refused the request", "GitHub did not accept the sign-in. Please start again.", START_AGAIN);
  }
  if (error instanceof SealedValueError) {
    return new PageError(500, "sealed_value_unreadable", "Something went wrong", "A stored value could not be opened; the operators have been told.");
  }
  return undefined;
};

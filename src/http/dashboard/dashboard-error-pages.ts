// The dashboard actions' refusals as pages: the same HTTP mapping as the admin API (one place),
// with a way back to the dashboard.
import { migrationErrorTranslator } from "../admin-request.js";
import { HttpError, type ErrorTranslator } from "../errors.js";
import { PageError, type PageErrorTranslator } from "../pages/page-errors.js";
import { tokenErrorTranslator } from "../token-api-routes.js";

const TRANSLATORS: ErrorTranslator[] = [migrationErrorTranslator, tokenErrorTranslator];
const BACK = { href: "/admin", label: "Back to the dashboard" };

export const dashboardErrorPages: PageErrorTranslator = (error) => {
  const httpError = error instanceof HttpError ? error : TRANSLATORS.map((translate) => translate(error)).find(Boolean);
  if (!httpError) return undefined;
  return new PageError(httpError.status, httpError.code, "That action was refused", httpError.message, BACK, httpError.headers);
};

// The maintainers' console: its pages (console-page-routes.ts) and their actions (start a batch,
// validate / roll back / re-enable a user, change a flag, start a readiness scan, clear the rollout
// guard). Every action is a same-origin form post carrying the session's CSRF token; without
// confirm=yes it answers the confirmation page, with it it acts and redirects to the page showing
// the result (post/redirect/get).
import type { Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { Logger } from "pino";
import { z } from "zod";
import type { MaintainerAccess } from "../../auth/maintainer-access.js";
import type { SessionCookies } from "../../auth/session-cookies.js";
import type { InstallationService } from "../../installations/installation-service.js";
import type { MigrationBatches } from "../../migration/batches.js";
import type { DashboardFigures } from "../../migration/dashboard-figures.js";
import { parseFlagText, type FeatureFlags } from "../../users/flags.js";
import { ReadinessScanRunningError } from "../../migration/errors.js";
import type { FlagImpact, FlagPreview } from "../../migration/flag-preview.js";
import type { ReadinessReport } from "../../migration/readiness-report.js";
import type { ReadinessScan } from "../../migration/readiness-scan.js";
import type { MigrationRollback } from "../../migration/rollback.js";
import type { RolloutGuard } from "../../migration/rollout-guard.js";
import type { CampaignTrends } from "../../migration/trends.js";
import type { UserDirectory } from "../../migration/user-directory.js";
import type { UserValidator } from "../../migration/validation.js";
import { formBody, pageAnswer, redirectAnswer } from "../api-description.js";
import { parseInput } from "../input.js";
import { PageError } from "../pages/page-errors.js";
import { createPageRoutes, csrfForm, sameOriginForms } from "../pages/page-routes.js";
import { confirmPage } from "./confirm-page.js";
import { ADMIN_SIGN_IN_PATH, maintainerOfForm, maintainerOfPage, type SignedInMaintainer } from "./dashboard-access.js";
import { dashboardErrorPages } from "./dashboard-error-pages.js";
import { consolePageRoutes } from "./console-page-routes.js";
import { batchForm, confirmOnlyForm, flagForm, formFieldsToRepost, userForm } from "./dashboard-forms.js";

interface DashboardRoutesOptions {
  figures: DashboardFigures;
  trends: CampaignTrends;
  directory: UserDirectory;
  installations: InstallationService;
  maintainers: MaintainerAccess;
  sessions: SessionCookies;
  batches: MigrationBatches;
  validator: UserValidator;
  rollback: MigrationRollback;
  flags: FeatureFlags;
  baseUrl: string;
  log: Logger;
  /** Migration readiness and the rollout guard (the Readiness page, the flag preview). */
  readiness: { report: ReadinessReport; scan: ReadinessScan; preview: FlagPreview; guard: RolloutGuard };
}

export function dashboardRoutes(options: DashboardRoutesOptions): Hono {
  const { figures, batches, validator, rollback, flags, baseUrl, log, readiness } = options;
  const routes = createPageRoutes({ paths: ["/admin", "/admin/*"], log, errorPages: [dashboardErrorPages] });
  const access = { sessions: options.sessions, maintainers: options.maintainers };

  consolePageRoutes(routes, {
    access,
    figures,
    trends: options.trends,
    directory: options.directory,
    batches,
    flags,
    installations: options.installations,
    readiness: { report: readiness.report, guard: readiness.guard },
  });

  routes.post(
    "/admin/batches",
    describeDashboardAction("Start a migration batch (or a dry run)", batchForm, "batch_started", "/admin/batches"),
    sameOriginForms(baseUrl),
    async (c) => {
      const form = await maintainerForm(c);
      if (!form) return c.redirect(ADMIN_SIGN_IN_PATH, 303);
      const input = parseInput(batchForm, form.body);
      if (!input.confirm) {
        const size = input.size ?? (await flags.read()).user_migration_batch_size;
        return c.html(
          confirmPage({
            title: input.dry_run ? "Confirm a dry run" : "Confirm a migration batch",
            consequences: input.dry_run
              ? [`Counts what a batch of up to ${size} users would do.`, "Changes no user and calls GitHub for nobody."]
              : [
                  `Takes up to ${size} pending (or earlier failed) users.`,
                  "Validates the App token of those who have one; asks the others for consent (notification with a consent link).",
                  `Recorded in the audit trail as done by ${form.maintainer.login}.`,
                ],
            action: "/admin/batches",
            fields: formFieldsToRepost(form.body),
            submitLabel: input.dry_run ? "Start the dry run" : "Start the batch",
            csrfToken: form.maintainer.csrfToken,
            cancel: "/admin/batches",
          }),
        );
      }
      const { batchId } = await batches.start({ size: input.size, dryRun: input.dry_run === "yes", actor: form.maintainer.login });
      return c.redirect(`/admin/batches?done=batch_started&batch=${batchId}${input.dry_run === "yes" ? "&dry_run=yes" : ""}`, 303);
    },
  );

  routes.post(
    "/admin/users",
    describeDashboardAction("Validate, roll back or re-enable one user", userForm, "validated|validation_failed|rolled_back|reenabled", "/admin/users/{github_id}"),
    sameOriginForms(baseUrl),
    async (c) => {
      const form = await maintainerForm(c);
      if (!form) return c.redirect(ADMIN_SIGN_IN_PATH, 303);
      const input = parseInput(userForm, form.body);
      const githubId = await figures.githubIdOf(input.login);
      if (githubId === null) {
        throw new PageError(404, "user_not_found", "No such user", `No user with the GitHub login ${input.login} is known here.`, {
          href: "/admin/users",
          label: "Find users",
        });
      }
      const userPath = `/admin/users/${githubId}`;
      if (!input.confirm) {
        return c.html(
          confirmPage({
            title: `Confirm: ${USER_ACTION_TITLES[input.action]} ${input.login}`,
            consequences: USER_ACTION_CONSEQUENCES[input.action],
            action: "/admin/users",
            fields: formFieldsToRepost(form.body),
            submitLabel: `${USER_ACTION_TITLES[input.action]} ${input.login}`,
            csrfToken: form.maintainer.csrfToken,
            cancel: userPath,
          }),
        );
      }
      const actor = form.maintainer.login;
      const done = (what: string) => `${userPath}?done=${what}&login=${encodeURIComponent(input.login)}`;
      switch (input.action) {
        case "validate": {
          const { result } = await validator.validate(githubId, actor);
          return c.redirect(done(result.ok ? "validated" : "validation_failed"), 303);
        }
        case "rollback":
          await rollback.rollbackUser(githubId, { actor, reason: input.reason });
          return c.redirect(done("rolled_back"), 303);
        case "reenable":
          await rollback.reenableUser(githubId, { actor, reason: input.reason });
          return c.redirect(done("reenabled"), 303);
      }
    },
  );

  routes.post(
    "/admin/flags",
    describeDashboardAction("Change a rollout flag (the confirmation page previews who it affects)", flagForm, "flag_changed", "/admin/flags"),
    sameOriginForms(baseUrl),
    async (c) => {
      const form = await maintainerForm(c);
      if (!form) return c.redirect(ADMIN_SIGN_IN_PATH, 303);
      const input = parseInput(flagForm, form.body);
      // Parsed before confirming, so a value the flag refuses is reported before anyone confirms it.
      const parsed = parseFlagText(input.name, input.value);
      const value = parsed instanceof Date ? parsed.toISOString() : parsed;
      const current = (await flags.list()).find((flag) => flag.name === input.name);
      const overridesGuard =
        input.name === "github_app_tokens_rollout_percent" && Number(value) > Number(current?.value) && (await readiness.guard.isTripped());
      if (!input.confirm) {
        const impact = await readiness.preview.preview(input.name, value);
        return c.html(
          confirmPage({
            title: `Confirm: change ${input.name}`,
            consequences: [
              `${input.name} changes from ${JSON.stringify(current?.value)} to ${JSON.stringify(value)}.`,
              ...flagImpactSentences(impact),
              ...(overridesGuard ? ["The rollout guard is tripped: confirming overrides it for this raise, and the override is recorded."] : []),
              "Every instance applies it at its next token resolution.",
              `Recorded in the flag history as done by ${form.maintainer.login}.`,
            ],
            action: "/admin/flags",
            fields: formFieldsToRepost(form.body),
            submitLabel: `Change ${input.name}`,
            csrfToken: form.maintainer.csrfToken,
            cancel: "/admin/flags",
          }),
        );
      }
      await flags.set({ name: input.name, value, actor: form.maintainer.login, override: overridesGuard });
      return c.redirect(`/admin/flags?done=flag_changed&flag=${input.name}`, 303);
    },
  );

  /** An action with nothing to fill in: the confirmation page first, then `act` and back to the page `back` names. */
  function confirmOnlyAction(
    path: string,
    page: { summary: string; done: string; back: string; title: string; consequences: (login: string) => string[]; submitLabel: string },
    act: (login: string) => Promise<string>,
  ) {
    routes.post(path, describeDashboardAction(page.summary, confirmOnlyForm, page.done, page.back), sameOriginForms(baseUrl), async (c) => {
      const form = await maintainerForm(c);
      if (!form) return c.redirect(ADMIN_SIGN_IN_PATH, 303);
      if (!parseInput(confirmOnlyForm, form.body).confirm) {
        const { title, consequences, submitLabel, back } = page;
        const csrfToken = form.maintainer.csrfToken;
        return c.html(confirmPage({ title, consequences: consequences(form.maintainer.login), action: path, fields: {}, submitLabel, csrfToken, cancel: back }));
      }
      return c.redirect(`${page.back}?done=${await act(form.maintainer.login)}`, 303);
    });
  }

  confirmOnlyAction(
    "/admin/readiness",
    {
      summary: "Start a readiness scan of every user not checked in the last day",
      done: "readiness_scan_started",
      back: "/admin/readiness",
      title: "Confirm a readiness scan",
      consequences: () => [
        "Lists, with each user's legacy token, the repositories it reads (GET /user/repos), for every user not checked in the last day.",
        "Compares them with the App's installations and stores the result per user; changes no user and no token.",
        "Uses some of each user's GitHub rate limit (one call per 100 repositories).",
      ],
      submitLabel: "Start the scan",
    },
    async (actor) => {
      try {
        await readiness.scan.start({ actor });
      } catch (error) {
        if (!(error instanceof ReadinessScanRunningError)) throw error;
        throw new PageError(409, "scan_running", "A scan is running", error.message, { href: "/admin/readiness", label: "Back to Readiness" });
      }
      void readiness.scan.runPass().catch((error: unknown) => log.error({ err: error }, "readiness scan pass failed"));
      return "readiness_scan_started";
    },
  );

  confirmOnlyAction(
    "/admin/rollout-guard/clear",
    {
      summary: "Clear the tripped rollout guard (paused batches resume)",
      done: "guard_cleared",
      back: "/admin/readiness",
      title: "Confirm: clear the rollout guard",
      consequences: (login) => ["Paused batches resume within seconds.", "Raising the rollout percent is allowed again.", `Recorded as cleared by ${login}.`],
      submitLabel: "Clear the guard",
    },
    async (actor) => {
      await readiness.guard.clear({ actor });
      return "guard_cleared";
    },
  );

  /** The posting maintainer (CSRF token checked) and the form's fields. */
  async function maintainerForm(c: Context): Promise<{ maintainer: SignedInMaintainer; body: Record<string, unknown> } | null> {
    const maintainer = await maintainerOfForm(c, access);
    return maintainer ? { maintainer, body: await c.req.parseBody() } : null;
  }

  return routes;
}

/** A console action: a form that answers its confirmation page first, and acts only with confirm=yes. */
function describeDashboardAction(summary: string, form: z.ZodObject, done: string, back: string) {
  return describeRoute({
    tags: ["dashboard"],
    summary,
    requestBody: formBody(form.extend(csrfForm.shape)),
    responses: {
      200: pageAnswer("HTML: the confirmation page (no confirm=yes); nothing was done"),
      303: redirectAnswer(`Done: to ${back}?done=${done} (post/redirect/get); to the maintainers' sign-in when not signed in`),
      400: pageAnswer("HTML: a field is invalid (the page says which and why)"),
      403: pageAnswer("HTML: a cross-site form, a wrong CSRF token, or not a maintainer"),
      404: pageAnswer("HTML: no user with that login"),
      409: pageAnswer("HTML: refused by the status machine (e.g. already rolled back)"),
    },
  });
}

const USER_ACTION_TITLES = { validate: "Validate", rollback: "Roll back", reenable: "Re-enable" } as const;

const USER_ACTION_CONSEQUENCES: Record<keyof typeof USER_ACTION_TITLES, string[]> = {
  validate: [
    "Checks the user's App token at GitHub (GET /user and GET /user/installations), refreshing it first if needed.",
    "Success marks the user migrated; failure marks them failed with the reason.",
  ],
  rollback: [
    "The application serves this user's legacy OAuth token again, at once.",
    "Nothing is deleted: their App token stays stored, and re-enabling undoes this.",
  ],
  reenable: ["Moves the rolled-back user back to pending, so the next batch takes them again."],
};

/** The preview's four numbers, as the confirmation page says them. */
function flagImpactSentences(impact: FlagImpact): string[] {
  return [
    `${impact.switch_to_app} user(s) would be served the App token instead of their legacy OAuth token.`,
    `${impact.switch_to_oauth} user(s) would be served their legacy OAuth token instead of the App token.`,
    `${impact.lose_token} user(s) would be left with no token at all (reauth_required).`,
    `${impact.lose_repository_access} user(s) switching to the App token would lose access to some repository (from the last readiness scan).`,
  ];
}

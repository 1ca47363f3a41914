// `migration readiness [--scan] [--json]`: who would lose access to which repositories after the
// switch, which accounts miss the App (with install links), whose rate limit would drop; `--scan`
// first checks every user not checked within a day, in the foreground with a progress line.
import type { CliCommand } from "./command.js";
import { ACTOR_OPTION, actorFrom } from "./maintainer-input.js";

export const readinessCommands: CliCommand[] = [
  {
    name: "migration readiness",
    summary: "Users who would lose repository access after the switch, accounts missing the App, rate-limit drops (--scan checks users first).",
    options: {
      scan: { type: "boolean", default: false, description: "Check every user not checked within a day first (calls GitHub with each legacy token)" },
      ...ACTOR_OPTION,
    },
    async run({ services, values, output }) {
      if (values.scan) {
        const started = await services.readinessScan.start({ actor: actorFrom(values) });
        output.progress(`readiness scan: 0 of ${started.total} users checked`);
        for (;;) {
          await services.readinessScan.runPass();
          const progress = await services.readinessScan.progress();
          output.progress(`readiness scan: ${progress.done} of ${progress.total} users checked`);
          if (progress.state !== "running") break;
          // Users held by another instance, or waiting out GitHub's Retry-After, come back later.
          await new Promise((resolve) => setTimeout(resolve, 2_000));
        }
        output.progress("");
      }
      const [summary, drops] = await Promise.all([services.readinessReport.summary(), services.readinessReport.rateLimitDrops()]);
      output.line(`users checked: ${summary.users_checked}, keep every repository: ${summary.users_fully_covered}, would lose access: ${summary.users_losing_access}`);
      output.line(`last scan: ${summary.scan.state} (${summary.scan.done} of ${summary.scan.total})`);
      if (summary.accounts_missing_installation.length === 0) output.line("no account is missing the App");
      else output.line("accounts missing the App (users, repositories, install link):");
      for (const account of summary.accounts_missing_installation) {
        output.line(`  ${account.account.padEnd(24)} ${String(account.users).padStart(5)} ${String(account.repositories).padStart(6)}  ${account.install_url ?? "(link unavailable)"}`);
      }
      output.line(`rate limits that would drop: ${drops.users}`);
      for (const drop of drops.drops) output.line(`  ${drop.login} (${drop.github_id}): ${drop.legacy_rate_limit} → ${drop.app_rate_limit}`);
      output.json({ ...summary, rate_limit_drops: drops });
    },
  },
];

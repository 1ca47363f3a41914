// `doctor`: the set-up checked from outside (src/doctor/doctor.ts), as text or --json. Exits 1 when
// any check fails. Runs without the usual database set-up, so it can report a database that is down.
import { WEBHOOK_PATH } from "../index.js";
import { runDoctor, type CheckStatus } from "../doctor/doctor.js";
import { probeRedirectUri } from "../github/authorize-probe.js";
import { createGitHubClients } from "../github/github-clients.js";
import { openDatabase } from "../db/open-database.js";
import type { CliCommand } from "./command.js";

const MARKS: Record<CheckStatus, string> = { ok: "ok  ", info: "info", warn: "WARN", fail: "FAIL" };

export const doctorCommands: CliCommand[] = [
  {
    name: "doctor",
    summary: "Check the set-up: configuration, database, migrations, OAuth credentials, App identity, webhook, callback URL.",
    async runWithoutServices({ config, log, output }) {
      let database: Awaited<ReturnType<typeof openDatabase>> | null = null;
      let databaseError: string | undefined;
      try {
        database = await openDatabase(config, { onLog: () => {} });
      } catch (error) {
        databaseError = (error as Error).message;
      }
      const github = createGitHubClients({ config, log });
      try {
        const report = await runDoctor({
          config,
          sequelize: database?.sequelize ?? null,
          ...(databaseError === undefined ? {} : { databaseError }),
          oauthClients: github.oauthClients,
          app: github.app,
          probeRedirectUri: (redirectUri) =>
            probeRedirectUri({ github: config.github, clientId: config.appClientId ?? "", redirectUri, timeoutMs: config.githubRequestTimeoutMs }),
          webhookPath: WEBHOOK_PATH,
        });
        for (const check of report.checks) {
          output.line(`${MARKS[check.status]}  ${check.name}: ${check.verdict}`);
          if (check.fix && check.status !== "ok") output.line(`      fix: ${check.fix}`);
        }
        output.line(report.ok ? "All checks passed." : `${report.checks.filter((check) => check.status === "fail").length} check(s) failed.`);
        output.json(report);
        return report.ok ? 0 : 1;
      } finally {
        await database?.close();
      }
    },
  },
];

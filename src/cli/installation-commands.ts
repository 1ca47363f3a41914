// `installations sync` and `installations list`: reconciliation by hand, and what we hold.
import type { CliCommand } from "./command.js";

export const installationCommands: CliCommand[] = [
  {
    name: "installations sync",
    summary: "Rebuild installations and their repositories from GitHub, marking vanished ones deleted.",
    async run({ services, output }) {
      output.line("Listing the App's installations on GitHub…");
      const outcome = await services.installationReconciliation.runPass();
      if (!outcome.ran) {
        output.line("Another instance is reconciling right now; nothing done.");
        output.json({ ran: false });
        return 1;
      }
      const counts = outcome.result;
      output.line(
        `listed: ${counts.listed}, updated: ${counts.updated}, unchanged: ${counts.unchanged}, ` +
          `marked deleted: ${counts.markedDeleted}, repositories not listable: ${counts.repositoriesSkipped}`,
      );
      output.json({ ran: true, ...counts });
    },
  },
  {
    name: "installations list",
    summary: "List the installations we know (add --include-deleted for deleted ones).",
    options: { "include-deleted": { type: "boolean", default: false, description: "Also list deleted installations." } },
    async run({ services, values, output }) {
      const installations = await services.installations.listInstallations({
        includeDeleted: values["include-deleted"] === true,
        limit: 10_000,
      });
      for (const installation of installations) {
        const state = installation.deletedAt ? "deleted" : installation.suspendedAt ? `suspended by ${installation.suspendedBy ?? "?"}` : "active";
        output.line(
          `${String(installation.id).padEnd(12)} ${installation.account.login.padEnd(24)} ${installation.account.type.padEnd(13)} ` +
            `${installation.repositorySelection.padEnd(8)} repos: ${String(installation.repositoriesCount).padEnd(6)} ${state}`,
        );
      }
      output.line(`${installations.length} installation(s)`);
      output.json(installations);
    },
  },
];

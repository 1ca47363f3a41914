// `webhooks redeliver`: asks GitHub to redeliver the failed deliveries we have not processed since.
import type { CliCommand } from "./command.js";
import { CliInputError } from "./failures.js";

export const webhookCommands: CliCommand[] = [
  {
    name: "webhooks redeliver",
    summary: "Redeliver failed webhook deliveries we have not processed (bounded per run).",
    options: {
      hours: { type: "string", default: "24", description: "How far back to look, in hours (1-72; default 24)." },
      max: { type: "string", default: "25", description: "At most this many redeliveries (1-500; default 25)." },
      "dry-run": { type: "boolean", default: false, description: "Show what would be redelivered, ask GitHub for nothing." },
    },
    async run({ services, values, output }) {
      const windowHours = Number(values.hours);
      const maxRedeliveries = Number(values.max);
      if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > 72) {
        throw new CliInputError("--hours must be a whole number from 1 to 72 (GitHub keeps deliveries three days)");
      }
      if (!Number.isInteger(maxRedeliveries) || maxRedeliveries < 1 || maxRedeliveries > 500) throw new CliInputError("--max must be a whole number from 1 to 500");
      const dryRun = values["dry-run"] === true;
      const outcome = await services.webhookRedelivery.runPass({ windowHours, maxRedeliveries, dryRun });
      if (!outcome.ran) {
        output.line("Another instance is running a redelivery pass right now; nothing done.");
        output.json({ ran: false });
        return 1;
      }
      const report = outcome.result;
      for (const guid of report.redelivered) output.line(`${dryRun ? "would redeliver" : "redelivered"} ${guid}`);
      output.line(
        `scanned: ${report.scanned}, failed: ${report.failed}, processed by us already: ${report.alreadyProcessed}, ` +
          `${dryRun ? "would redeliver" : "redelivered"}: ${report.redelivered.length}, deferred: ${report.deferred}, ` +
          `refused by GitHub: ${report.refused}, given up: ${report.gaveUp}`,
      );
      output.json({ ran: true, dryRun, ...report });
      return report.refused > 0 ? 1 : 0;
    },
  },
];

// `tokens keep-alive`: one keep-alive pass by hand, with what it did.
import type { CliCommand } from "./command.js";

export const tokenCommands: CliCommand[] = [
  {
    name: "tokens keep-alive",
    summary: "Refresh App tokens close to expiry (and refresh tokens near their end) once, now.",
    async run({ services, output }) {
      const counts = await services.tokenKeepAlive.runPass();
      output.line(
        `due: ${counts.due}, refreshed: ${counts.refreshed}, skipped: ${counts.skipped}, ` +
          `failed (backing off): ${counts.failed}, reauth required: ${counts.reauthRequired}`,
      );
      output.json(counts);
      return counts.failed > 0 ? 1 : 0;
    },
  },
];

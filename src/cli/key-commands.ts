// `keys rotate` and `keys check`: sealing keys in use, and moving every sealed value to the primary key.
import type { CliCommand } from "./command.js";

export const keyCommands: CliCommand[] = [
  {
    name: "keys rotate",
    summary: "Re-seal every stored token under the primary key (resumable; reruns continue).",
    options: { "batch-size": { type: "string", default: "100", description: "Rows per transaction (default 100)." } },
    async run({ services, values, output }) {
      const batchSize = Number(values["batch-size"]);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
        output.line("--batch-size must be a whole number from 1 to 10000");
        return 2;
      }
      output.line(`Re-sealing under primary key "${services.sealer.primaryKeyId}"…`);
      const counts = await services.keyRotation.rotate({
        batchSize,
        onProgress: (progress) =>
          output.progress(`users: ${progress.userRows} rows (${progress.userValues} values), oauth states: ${progress.oauthStateRows}`),
      });
      output.line(
        `Done: ${counts.userValues} values re-sealed in ${counts.userRows} user rows, ${counts.oauthStateRows} OAuth states.`,
      );
      output.json({ primaryKeyId: services.sealer.primaryKeyId, ...counts });
    },
  },
  {
    name: "keys check",
    summary: "Count sealed values per key id, so an old key can be removed once nothing uses it.",
    async run({ services, output }) {
      const usage = await services.keyRotation.keyUsage();
      const primary = services.sealer.primaryKeyId;
      let underOtherKeys = 0;
      for (const [place, perKey] of Object.entries(usage)) {
        const described = Object.entries(perKey).map(([kid, count]) => `${kid}${kid === primary ? " (primary)" : ""}: ${count}`);
        output.line(`${place.padEnd(36)} ${described.length > 0 ? described.join(", ") : "none"}`);
        underOtherKeys += Object.entries(perKey).reduce((sum, [kid, count]) => sum + (kid === primary ? 0 : count), 0);
      }
      output.line(underOtherKeys === 0 ? "Every sealed value uses the primary key." : `${underOtherKeys} values still use other keys: run "keys rotate".`);
      output.json({ primaryKeyId: primary, usage, underOtherKeys });
    },
  },
];

// `keys rotate` and `keys check`: sealing keys in use, and moving every sealed value to the primary key.
import type { CliCommand } from "./command.js";
import { CliInputError } from "./failures.js";

export const keyCommands: CliCommand[] = [
  {
    name: "keys rotate",
    summary: "Re-seal every stored token under the primary key (resumable; reruns continue).",
    options: { "batch-size": { type: "string", default: "100", description: "Rows per transaction (default 100)." } },
    async run({ services, values, output }) {
      const batchSize = Number(values["batch-size"]);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new CliInputError("--batch-size must be a whole number from 1 to 10000");
      const primary = services.sealer.primaryKeyId;
      output.line(`Re-sealing under primary key "${primary}"…`);
      const total = valuesUnderOtherKeys(await services.keyRotation.keyUsage(), primary);
      const counts = await services.keyRotation.rotate({
        batchSize,
        onProgress: (progress) =>
          output.progress(`users: ${progress.userRows} rows (${progress.userValues} values), oauth states: ${progress.oauthStateRows}`, {
            done: progress.userValues + progress.oauthStateRows,
            total,
          }),
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
      for (const [place, perKey] of Object.entries(usage)) {
        const described = Object.entries(perKey).map(([kid, count]) => `${kid}${kid === primary ? " (primary)" : ""}: ${count}`);
        output.line(`${place.padEnd(36)} ${described.length > 0 ? described.join(", ") : "none"}`);
      }
      const underOtherKeys = valuesUnderOtherKeys(usage, primary);
      output.line(underOtherKeys === 0 ? "Every sealed value uses the primary key." : `${underOtherKeys} values still use other keys: run "keys rotate".`);
      output.json({ primaryKeyId: primary, usage, underOtherKeys });
    },
  },
];

function valuesUnderOtherKeys(usage: Record<string, Record<string, number>>, primary: string): number {
  return Object.values(usage).reduce(
    (sum, perKey) => sum + Object.entries(perKey).reduce((inPlace, [kid, count]) => inPlace + (kid === primary ? 0 : count), 0),
    0,
  );
}

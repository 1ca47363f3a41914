// `flags list|set|history`: the rollout flags from a terminal.
import { InvalidFlagValueError, UnknownFlagError } from "../users/errors.js";
import { parseFlagName, parseFlagText } from "../users/flags.js";
import type { CliCommand } from "./command.js";
import { ACTOR_OPTION, actorFrom, CliInputError, reportingRefusals } from "./maintainer-input.js";

const REFUSALS = [UnknownFlagError, InvalidFlagValueError];

export const flagCommands: CliCommand[] = [
  {
    name: "flags list",
    summary: "Every flag's effective value and where it comes from (database or environment default).",
    async run({ services, output }) {
      const flags = await services.flags.list();
      for (const flag of flags) {
        output.line(`${flag.name} = ${JSON.stringify(flag.value)}  (${flag.source}${flag.updatedBy ? `, set by ${flag.updatedBy} at ${flag.updatedAt?.toISOString()}` : ""})`);
      }
      output.json(flags);
    },
  },
  {
    name: "flags set",
    summary: "Change a flag at runtime (lists are comma-separated; a date or null for the deprecation date).",
    options: {
      name: { type: "string", description: "The flag's name" },
      value: { type: "string", description: "The new value" },
      ...ACTOR_OPTION,
    },
    async run({ services, values, output }) {
      return reportingRefusals(
        output,
        async () => {
          if (typeof values.name !== "string" || typeof values.value !== "string") throw new CliInputError("give --name and --value");
          const name = parseFlagName(values.name);
          const parsed = parseFlagText(name, values.value);
          const value = parsed instanceof Date ? parsed.toISOString() : parsed;
          const change = await services.flags.set({ name, value, actor: actorFrom(values) });
          output.line(`${change.name}: ${JSON.stringify(change.oldValue)} → ${JSON.stringify(change.newValue)}`);
          output.json(change);
        },
        REFUSALS,
      );
    },
  },
  {
    name: "flags history",
    summary: "Who changed which flag, when, from what to what (newest first).",
    options: { name: { type: "string", description: "Only this flag" } },
    async run({ services, values, output }) {
      return reportingRefusals(
        output,
        async () => {
          const changes = await services.flags.history({ name: typeof values.name === "string" ? values.name : undefined });
          for (const change of changes) {
            output.line(`${change.changedAt.toISOString()} ${change.name}: ${JSON.stringify(change.oldValue)} → ${JSON.stringify(change.newValue)} by ${change.changedBy}`);
          }
          output.json(changes);
        },
        REFUSALS,
      );
    },
  },
];

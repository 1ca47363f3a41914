// `flags list|set|history`: the rollout flags from a terminal.
import { createInterface } from "node:readline/promises";
import { parseFlagName, parseFlagText } from "../users/flags.js";
import type { CliCommand } from "./command.js";
import { CliInputError } from "./failures.js";
import { ACTOR_OPTION, actorFrom } from "./maintainer-input.js";

/** Asks on the terminal; false without one (scripts pass --yes). */
async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

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
      yes: { type: "boolean", default: false, description: "Apply without asking (after showing the preview)" },
      override: { type: "boolean", default: false, description: "Raise the rollout percent although the rollout guard is tripped (recorded)" },
      ...ACTOR_OPTION,
    },
    async run({ services, values, output }) {
      if (typeof values.name !== "string" || typeof values.value !== "string") throw new CliInputError("give --name and --value");
      const name = parseFlagName(values.name);
      const parsed = parseFlagText(name, values.value);
      const value = parsed instanceof Date ? parsed.toISOString() : parsed;
      const preview = await services.flagPreview.preview(name, value);
      output.line(`preview of ${name} → ${JSON.stringify(value)}:`);
      output.line(`  served the App token instead of OAuth:   ${preview.switch_to_app}`);
      output.line(`  served OAuth instead of the App token:   ${preview.switch_to_oauth}`);
      output.line(`  left with no token (reauth_required):    ${preview.lose_token}`);
      output.line(`  would lose access to some repository:    ${preview.lose_repository_access}`);
      if (values.yes !== true) {
        if (!process.stdin.isTTY) throw new CliInputError("not changed: confirm with --yes (no terminal to ask on)", "confirmation_required");
        if (!(await confirmOnTerminal("Apply this change? [y/N] "))) {
          output.line("not changed");
          return 1;
        }
      }
      const change = await services.flags.set({ name, value, actor: actorFrom(values), override: values.override === true });
      output.line(`${change.name}: ${JSON.stringify(change.oldValue)} → ${JSON.stringify(change.newValue)}`);
      output.json({ ...change, preview, applied: true });
    },
  },
  {
    name: "flags history",
    summary: "Who changed which flag, when, from what to what (newest first).",
    options: { name: { type: "string", description: "Only this flag" } },
    async run({ services, values, output }) {
      const changes = await services.flags.history({ name: typeof values.name === "string" ? values.name : undefined });
      for (const change of changes) {
        output.line(`${change.changedAt.toISOString()} ${change.name}: ${JSON.stringify(change.oldValue)} → ${JSON.stringify(change.newValue)} by ${change.changedBy}`);
      }
      if (changes.length === 0) output.line("No flag has been changed at runtime.");
      output.json(changes);
    },
  },
];

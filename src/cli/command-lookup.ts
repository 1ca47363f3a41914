// Which command the words on the command line name, and the closest one when they name none.
import type { CliCommand } from "./command.js";
import { CliInputError } from "./failures.js";

export function findCommand(commands: CliCommand[], argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  const longestFirst = [...commands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const command of longestFirst) {
    const words = command.name.split(" ");
    if (words.every((word, index) => argv[index] === word)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** "unknown command: X; did you mean Y?" — the words before the first option are the command typed. */
export function unknownCommandError(commands: CliCommand[], argv: string[]): CliInputError {
  const typed = argv.slice(0, argv.findIndex((arg) => arg.startsWith("-")) === -1 ? argv.length : argv.findIndex((arg) => arg.startsWith("-")));
  const attempt = typed.slice(0, 2).join(" ");
  const closest = closestCommand(commands, attempt) ?? closestGroup(commands, typed[0] ?? "");
  return new CliInputError(
    `unknown command: ${attempt || argv[0]}${closest ? `; did you mean "${closest}"?` : ""} (--help lists the commands)`,
    "unknown_command",
  );
}

/** "migration <status|batch|…>" for a first word close to a group's ("migrate"). */
function closestGroup(commands: CliCommand[], firstWord: string): string | undefined {
  const groups = new Map<string, string[]>();
  for (const { name } of commands) {
    const [group, ...rest] = name.split(" ");
    groups.set(group!, [...(groups.get(group!) ?? []), rest.join(" ")]);
  }
  const [group, subcommands] = [...groups].sort(([a], [b]) => editDistance(firstWord, a) - editDistance(firstWord, b))[0] ?? [];
  if (group === undefined || editDistance(firstWord, group) > Math.max(2, Math.floor(group.length / 3))) return undefined;
  return `${group} <${subcommands!.join("|")}>`;
}

function closestCommand(commands: CliCommand[], attempt: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const { name } of commands) {
    // A command typed by its group alone ("migration") is close to every command of the group.
    const distance = name.startsWith(`${attempt} `) ? 1 : editDistance(attempt, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(3, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

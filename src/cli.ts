// The maintainer CLI: `npx github-app-user-tokens <command> [options]`. Opens the same database
// and services as the server (migrating first), runs one command, exits.
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { ConfigError, loadConfig, logSettings } from "./config.js";
import { migrateToLatest } from "./db/migrator.js";
import { defineModels } from "./db/models/index.js";
import { openDatabase } from "./db/open-database.js";
import { CLI_COMMANDS } from "./cli/commands.js";
import type { CliCommand, CliOutput } from "./cli/command.js";
import { createLogger } from "./observability/logger.js";
import { composeApp } from "./services.js";

export function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  const byLength = [...CLI_COMMANDS].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const command of byLength) {
    const words = command.name.split(" ");
    if (words.every((word, index) => argv[index] === word)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

function usage(): string {
  const width = Math.max(...CLI_COMMANDS.map((command) => command.name.length), 10);
  return [
    "usage: github-app-user-tokens <command> [options]",
    "",
    ...CLI_COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Every command accepts --json for machine-readable output and --help for its options.",
  ].join("\n");
}

function commandHelp(command: CliCommand): string {
  const options = Object.entries(command.options ?? {}).map(
    ([name, option]) => `  --${name}${option.type === "string" ? " <value>" : ""}  ${option.description}`,
  );
  return [`usage: github-app-user-tokens ${command.name} [options]`, "", command.summary, "", ...options].join("\n");
}

export function createCliOutput(json: boolean): CliOutput {
  const interactive = process.stderr.isTTY && !json;
  return {
    line: (text) => {
      if (!json) console.log(text);
    },
    progress: (text) => {
      if (json) return;
      if (interactive) process.stderr.write(`\r\x1b[2K${text}`);
      else console.error(text);
    },
    json: (value) => {
      if (json) console.log(JSON.stringify(value, null, 2));
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const found = findCommand(argv);
  if (!found) {
    console.error(usage());
    return argv.length === 0 || argv[0] === "--help" ? 0 : 2;
  }
  const { command, rest } = found;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        ...Object.fromEntries(
          // parseArgs rejects keys present with an undefined value, so only set what the command gives.
          Object.entries(command.options ?? {}).map(([name, { type, short, default: fallback }]) => [
            name,
            { type, ...(short === undefined ? {} : { short }), ...(fallback === undefined ? {} : { default: fallback }) },
          ]),
        ),
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (values.help) {
    console.log(commandHelp(command));
    return 0;
  }

  if (existsSync(".env")) process.loadEnvFile(".env");
  // Quieter than the server by default; a bad LOG_LEVEL is named by loadConfig below instead of crashing here.
  const log = await createLogger({ level: logSettings(process.env, "warn").level, format: "pretty" });
  let config;
  try {
    config = loadConfig({ env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const database = await openDatabase(config, { onLog: () => {} });
  try {
    await migrateToLatest(database.sequelize);
    const { services } = composeApp({ config, models: defineModels(database.sequelize), log });
    const output = createCliOutput(values.json === true);
    return (await command.run({ services, values, output })) ?? 0;
  } finally {
    await database.close();
  }
}

process.exitCode = await main(process.argv.slice(2));

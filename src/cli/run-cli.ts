// One run of the maintainer CLI: finds the command, reads its options and settings, opens the same
// database and services as the server (migrating first), says which database it uses, runs the
// command. Every failure ends the same way (failures.ts): one line, or a JSON object under --json.
import { parseArgs, parseEnv } from "node:util";
import { existsSync, readFileSync } from "node:fs";
import { loadConfig, logSettings } from "../config.js";
import { migrateToLatest } from "../db/migrator.js";
import { defineModels } from "../db/models/index.js";
import { openDatabase } from "../db/open-database.js";
import { createLogger } from "../observability/logger.js";
import { composeApp } from "../services.js";
import { findCommand, unknownCommandError } from "./command-lookup.js";
import { CLI_COMMANDS } from "./commands.js";
import type { CliCommand, CliOptionValues } from "./command.js";
import { CliInputError, describeFailure, reportFailure } from "./failures.js";
import { createCliOutput, type OutputStreams } from "./output.js";

/** Options every command takes, besides its own. */
const GLOBAL_OPTIONS = {
  json: { type: "boolean", default: false, description: "Machine-readable output on stdout (errors too: {\"error\",\"message\"})" },
  help: { type: "boolean", default: false, description: "This command's options" },
  "env-file": { type: "string", description: "Read settings from this file instead of ./.env (npm run demo prints one)" },
} as const satisfies NonNullable<CliCommand["options"]>;

function usage(): string {
  const width = Math.max(...CLI_COMMANDS.map((command) => command.name.length), 10);
  return [
    "usage: github-app-user-tokens <command> [options]",
    "",
    ...CLI_COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Every command accepts --json for machine-readable output, --env-file <path> and --help for its options.",
  ].join("\n");
}

function commandHelp(command: CliCommand): string {
  const options = Object.entries({ ...command.options, ...GLOBAL_OPTIONS }).map(
    ([name, option]) => `  --${name}${option.type === "string" ? " <value>" : ""}  ${option.description}`,
  );
  return [`usage: github-app-user-tokens ${command.name} [options]`, "", command.summary, "", ...options].join("\n");
}

function parseOptions(command: CliCommand, args: string[]): CliOptionValues {
  const accepted: NonNullable<CliCommand["options"]> = { ...command.options, ...GLOBAL_OPTIONS };
  try {
    return parseArgs({
      args,
      options: Object.fromEntries(
        // parseArgs rejects keys present with an undefined value, so only set what the command gives.
        Object.entries(accepted).map(([name, { type, short, default: fallback }]) => [
          name,
          { type, ...(short === undefined ? {} : { short }), ...(fallback === undefined ? {} : { default: fallback }) },
        ]),
      ),
      strict: true,
      allowPositionals: false,
    }).values as CliOptionValues;
  } catch (error) {
    throw new CliInputError(`${(error as Error).message.split("\n")[0]} (github-app-user-tokens ${command.name} --help lists its options)`);
  }
}

/**
 * The settings a run uses: ./.env fills in what the environment leaves unset (as for the server); a
 * file named with --env-file wins over the environment, since it was asked for by name.
 */
function settingsFrom(env: NodeJS.ProcessEnv, envFile: string | boolean | undefined): NodeJS.ProcessEnv {
  if (typeof envFile !== "string") return existsSync(".env") ? { ...parseEnv(readFileSync(".env", "utf8")), ...env } : { ...env };
  if (!existsSync(envFile)) throw new CliInputError(`--env-file ${envFile}: no such file`);
  return { ...env, ...parseEnv(readFileSync(envFile, "utf8")) };
}

export async function runCli(argv: string[], { env = process.env, streams = process }: { env?: NodeJS.ProcessEnv; streams?: OutputStreams } = {}): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h") {
    streams.stdout.write(`${usage()}\n`);
    return 0;
  }
  const json = argv.includes("--json");
  const showStack = env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "trace";
  try {
    const found = findCommand(CLI_COMMANDS, argv);
    if (!found) throw unknownCommandError(CLI_COMMANDS, argv);
    const { command, rest } = found;
    const values = parseOptions(command, rest);
    if (values.help) {
      streams.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    const settings = settingsFrom(env, values["env-file"]);

    // Routine warnings would mix into the command's output; LOG_LEVEL=warn (or lower) shows them.
    const log = await createLogger({ level: logSettings(settings, "error").level, format: "pretty" });
    const config = loadConfig({ env: settings });
    const output = createCliOutput({ json, streams });
    if (command.runWithoutServices) return (await command.runWithoutServices({ config, log, values, output })) ?? 0;
    const database = await openDatabase(config, { onLog: () => {} });
    try {
      // On stderr, so --json output stays one document.
      streams.stderr.write(`using ${database.description}\n`);
      await migrateToLatest(database.sequelize);
      const { services } = composeApp({ config, models: defineModels(database.sequelize), log });
      return (await command.run!({ services, values, output })) ?? 0;
    } finally {
      await database.close();
    }
  } catch (error) {
    return reportFailure(describeFailure(error), { json, showStack, streams });
  }
}

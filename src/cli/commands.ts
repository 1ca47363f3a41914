// The maintainer CLI's commands, one module per capability.
import type { CliCommand } from "./command.js";
import { doctorCommands } from "./doctor-command.js";
import { flagCommands } from "./flag-commands.js";
import { installationCommands } from "./installation-commands.js";
import { keyCommands } from "./key-commands.js";
import { migrationCommands } from "./migration-commands.js";
import { readinessCommands } from "./readiness-commands.js";
import { tokenCommands } from "./token-commands.js";
import { userCommands } from "./user-commands.js";
import { webhookCommands } from "./webhook-commands.js";

export const CLI_COMMANDS: CliCommand[] = [...keyCommands, ...tokenCommands, ...migrationCommands, ...readinessCommands, ...userCommands, ...flagCommands, ...installationCommands, ...webhookCommands, ...doctorCommands];

// The maintainer CLI's commands, one module per capability.
import type { CliCommand } from "./command.js";

export const CLI_COMMANDS: CliCommand[] = [];

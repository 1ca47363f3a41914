// The maintainer CLI: `npx github-app-user-tokens <command> [options]` (src/cli/run-cli.ts runs it).
import { runCli } from "./cli/run-cli.js";

process.exitCode = await runCli(process.argv.slice(2));

// The maintainer CLI: `npx github-app-user-tokens <command> [options]` (src/cli/run-cli.ts runs it).
import { runCli } from "./cli/run-cli.js";

const exitCode = await runCli(process.argv.slice(2));
process.exitCode = exitCode;
// Once the embedded Postgres was loaded, its exit hook (async-exit-hook) ends the process with
// process.exit(0) at beforeExit, which would turn a refusal's 2 into a success. Node reads
// process.exitCode again after the 'exit' listeners, so the command's code is set there last.
process.on("exit", () => {
  process.exitCode = exitCode;
});

// Runs the maintainer CLI as a maintainer does: the real bin/ entry in a process of its own.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` is the whole environment of the CLI process (testEnv({ DATABASE_URL }) and the like). */
export async function runCli(env: Record<string, string | undefined>, ...args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/github-app-user-tokens.js", ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

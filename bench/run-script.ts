// Runs one of the bench's load or floor scripts in a child process and returns its JSON result.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export async function runScript<T>(script: string, input: unknown): Promise<T> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), JSON.stringify(input)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const lastLine = output.trim().split("\n").at(-1);
  if (code !== 0 || !lastLine) throw new Error(`${script} exited with ${code}: ${output.slice(-500)}`);
  return JSON.parse(lastLine) as T;
}

// GitHub's own example payloads (@octokit/webhooks-examples, the github.com variant): the simulator
// starts every webhook from one of them, so handlers meet the fields GitHub really sends.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface ExampleFile {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}

let cachedExamples: ExampleFile[] | undefined;

function githubComExamples(): ExampleFile[] {
  cachedExamples ??= JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8"),
  ) as ExampleFile[];
  return cachedExamples;
}

/** A fresh copy of GitHub's example for the event and action. */
export function examplePayload(event: string, action: string): Record<string, unknown> {
  const example = githubComExamples()
    .find((file) => file.name === event)
    ?.examples.find((candidate) => candidate.action === action);
  if (!example) throw new Error(`Simulator: GitHub ships no example for ${event}.${action}`);
  return structuredClone(example);
}

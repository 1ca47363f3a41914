// GitHub's own example payloads from @octokit/webhooks-examples, for github.com and every GitHub
// Enterprise Server version the package ships.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

interface ExampleFile {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}

export interface WebhookExample {
  /** `api.github.com` or `ghes-3x`. */
  variant: string;
  event: string;
  action: string | undefined;
  payload: Record<string, unknown>;
}

const packageRoot = path.dirname(createRequire(import.meta.url).resolve("@octokit/webhooks-examples/package.json"));

export function webhookExamples(event: string): WebhookExample[] {
  const variants = readdirSync(packageRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  return variants.flatMap((variant) => {
    const files = JSON.parse(readFileSync(path.join(packageRoot, variant, "index.json"), "utf8")) as ExampleFile[];
    const file = files.find((candidate) => candidate.name === event);
    return (file?.examples ?? []).map((payload) => ({ variant, event, action: payload.action, payload }));
  });
}

// The refresh storm's load, in a process of its own: every request at once, spread round-robin over
// the instances and the users; answers the status of each and the wall time until the last answer.
import { performance } from "node:perf_hooks";
import { printResult, scriptInput } from "./closed-loop.js";

const { instanceUrls, githubIds, requests, serviceApiToken } = scriptInput<{
  instanceUrls: string[];
  githubIds: number[];
  requests: number;
  serviceApiToken: string;
}>();
const started = performance.now();
const answers = await Promise.all(
  Array.from({ length: requests }, async (_, index) => {
    const url = `${instanceUrls[index % instanceUrls.length]}/api/v1/users/${githubIds[index % githubIds.length]}/token`;
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${serviceApiToken}` }, signal: AbortSignal.timeout(60_000) });
      const body = (await response.json()) as { token?: string; error?: string };
      return { status: response.status, error: body.error ?? null };
    } catch {
      return { status: 0, error: "no_answer" };
    }
  }),
);
const statuses: Record<string, number> = {};
for (const { status, error } of answers) {
  const key = error ? `${status} ${error}` : String(status);
  statuses[key] = (statuses[key] ?? 0) + 1;
}
printResult({ wallMs: performance.now() - started, statuses });

// Floor of the webhook benchmark, in a process of its own: verify the delivery's signature with
// @octokit/webhooks-methods, then record it with one INSERT, at the same concurrency as the HTTP load.
import { randomUUID } from "node:crypto";
import { verify } from "@octokit/webhooks-methods";
import pg from "pg";
import { closedLoop, printResult, scriptInput } from "./closed-loop.js";

interface Input {
  databaseUrl: string;
  secret: string;
  body: string;
  signature: string;
  installationId: number;
  concurrency: number;
  durationMs: number;
}

const { databaseUrl, secret, body, signature, installationId, concurrency, durationMs } = scriptInput<Input>();
const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
const verifyAndInsert = async () => {
  if (!(await verify(secret, body, signature))) throw new Error("signature did not verify");
  await pool.query(
    `INSERT INTO webhook_deliveries (delivery_id, event, action, installation_id, outcome, received_at, processed_at)
     VALUES ($1, 'installation_repositories', 'added', $2, 'processed', now(), now())`,
    [randomUUID(), installationId],
  );
};
await closedLoop({ concurrency, durationMs: 500, operation: verifyAndInsert });
printResult(await closedLoop({ concurrency, durationMs, operation: verifyAndInsert }));
await pool.end();

// Floor of the webhook benchmark: a bare Probot app on the same Probot and the same server and
// middleware as the app (Probot's Server, its webhook path, signature check), whose only work is one
// INSERT per delivery. The price any Probot app pays for a webhook; the app's own work is above it.
import pg from "pg";
import { Probot, Server } from "probot";
import { findFreePort } from "../src/free-port.js";
import { createLogger } from "../src/observability/logger.js";
import { scriptInput } from "./closed-loop.js";

const { databaseUrl, secret, privateKey, appId, poolSize } = scriptInput<{ databaseUrl: string; secret: string; privateKey: string; appId: number; poolSize: number }>();
const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
// The app's own logger at the bench's level: Probot's request logging costs the same on both sides.
const log = await createLogger({ level: "warn" });
const server = new Server({
  Probot: Probot.defaults({ appId, privateKey, secret, log }),
  host: "127.0.0.1",
  // Probot's Server takes 0 as "unset" and listens on 3000.
  port: await findFreePort(),
  webhookPath: "/api/github/webhooks",
  enableStaticFiles: false,
  log,
});
await server.load((app) => {
  app.on("installation_repositories", async (context) => {
    await pool.query(
      `INSERT INTO webhook_deliveries (delivery_id, event, action, installation_id, outcome, received_at, processed_at)
       VALUES ($1, $2, $3, $4, 'processed', now(), now())`,
      [context.id, context.name, context.payload.action, context.payload.installation?.id ?? null],
    );
  });
});
await server.start();
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.port}` })}\n`);
process.on("SIGTERM", () => void server.stop().then(() => pool.end()).then(() => process.exit(0)));

// Floor of the token API benchmark: the least a token server can do. node:http, one prepared SELECT
// of the user's row by GitHub id (the same unique key, row and Postgres as the app), the App token
// opened with AES-256-GCM (the same envelope and key), JSON out. No authentication, no flags, no
// logging, no framework: what the app's route costs above this is the price of what it does more.
import { createServer } from "node:http";
import pg from "pg";
import { TokenSealer } from "../src/tokens/sealing.js";
import { scriptInput } from "./closed-loop.js";

const { databaseUrl, encryptionKey, poolSize } = scriptInput<{ databaseUrl: string; encryptionKey: { id: string; key: string }; poolSize: number }>();
const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
const sealer = new TokenSealer([{ id: encryptionKey.id, key: Buffer.from(encryptionKey.key, "base64") }]);
const selectUser = {
  name: "floor_user_by_github_id",
  text: "SELECT github_id, login, github_app_user_token, github_app_token_expires_at FROM users WHERE github_id = $1",
};

const server = createServer((request, response) => {
  const githubId = Number(/^\/api\/v1\/users\/(\d+)\/token$/.exec(request.url ?? "")?.[1]);
  void pool.query({ ...selectUser, values: [githubId] }).then(
    ({ rows: [row] }) => {
      if (!row) {
        response.writeHead(404).end();
        return;
      }
      const token = sealer.open(row.github_app_user_token, { table: "users", column: "github_app_user_token", rowId: row.github_id });
      const body = JSON.stringify({ token, type: "github_app_user", expires_at: row.github_app_token_expires_at?.toISOString() ?? null, login: row.login });
      response.writeHead(200, { "content-type": "application/json" }).end(body);
    },
    () => response.writeHead(500).end(),
  );
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
});
process.on("SIGTERM", () => server.close(() => void pool.end().then(() => process.exit(0))));

// Floor of the token API benchmark, in a process of its own: a raw `pg` primary-key SELECT of the
// user's row at the same concurrency as the HTTP load.
import pg from "pg";
import { closedLoop, printResult, scriptInput } from "./closed-loop.js";

const { databaseUrl, userId, concurrency, durationMs } = scriptInput<{ databaseUrl: string; userId: number; concurrency: number; durationMs: number }>();
const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
const selectRow = async () => void (await pool.query("SELECT * FROM users WHERE id = $1", [userId]));
await closedLoop({ concurrency, durationMs: 500, operation: selectRow });
printResult(await closedLoop({ concurrency, durationMs, operation: selectRow }));
await pool.end();

// `npm run db:migrate [-- down]`: applies (or reverts the last) schema migration and exits.
import { loadConfig } from "../config.js";
import { openDatabase } from "./open-database.js";
import { createMigrator } from "./migrator.js";

const direction = process.argv[2] === "down" ? "down" : "up";
const config = loadConfig({ env: process.env, warn: (message) => console.warn(message) });
const database = await openDatabase(config, { onLog: () => {} });
try {
  const migrator = createMigrator(database.sequelize, { info: (message) => console.log(message) });
  if (direction === "up") await migrator.up();
  else await migrator.down();
  const pending = await migrator.pending();
  console.log(`schema: ${direction === "up" ? "up to date" : "reverted one"}; ${pending.length} pending`);
} finally {
  await database.close();
}

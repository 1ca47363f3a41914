// `npm run seed:console -- --users 100000 --events 1000000`: fills the database at DATABASE_URL
// (migrated to the latest schema first) with a campaign-sized world for the maintainers' console:
// users over every status and refresh-failure class, six weeks of audit trail, batches, flag
// changes, installations and a readiness scan (test/support/console-world.ts). Rows already there
// are kept; the seeded ones are added next to them. No real token is written.
import { parseArgs } from "node:util";
import { connectDatabase } from "../src/db/connection.js";
import { migrateToLatest } from "../src/db/migrator.js";
import { seedConsoleWorld } from "../test/support/console-world.js";

const { values } = parseArgs({
  options: { users: { type: "string", default: "100000" }, events: { type: "string", default: "1000000" } },
});
const users = Number(values.users);
const events = Number(values.events);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("seed:console: set DATABASE_URL to the database to fill");
  process.exit(1);
}
if (!Number.isInteger(users) || users < 1 || !Number.isInteger(events) || events < 0) {
  console.error("seed:console: --users must be a whole number of at least 1, --events a whole number");
  process.exit(1);
}

const sequelize = connectDatabase({ url: databaseUrl, maxConnections: 2 });
try {
  await migrateToLatest(sequelize);
} finally {
  await sequelize.close();
}
const world = await seedConsoleWorld({ databaseUrl, users, events });
console.log(
  `seeded ${world.users} users, ${world.events} migration events, ${world.batches} batches, ${world.installations} installations ` +
    `in ${world.seconds.toFixed(1)} s; GitHub ids ${world.firstGithubId}–${world.firstGithubId + world.users - 1}; ` +
    `longest timeline: ${world.busiestUser.login} (${world.busiestUser.githubId}), ${world.busiestUser.events} events`,
);

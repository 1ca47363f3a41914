// The map of the house as rules (docs/architecture.md, "The map"). `npm run lint:deps` checks src/
// against them in `npm test`; a cycle or a forbidden arrow fails the run, naming the rule and the import.
/** Folders whose code is a service: it holds a rule or a capability, and is called by the entry layers. */
const SERVICES = "^src/(auth|tokens|migration|installations|notifications|users)/";
/** Entry layers: they call services, never the other way round. */
const ENTRY_LAYERS = "^src/(http|webhooks|cli)/|^src/(main|cli|index|services|app-server)\\.ts$";

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A runtime import cycle between modules. Type-only imports vanish at compile time and do not count.",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "no-folder-cycle",
      severity: "error",
      comment:
        "Folders import each other in one direction only. A cycle across folders is how the rules every service " +
        "obeys ended up inside one capability's folder.",
      scope: "folder",
      from: { path: "^src/" },
      to: { path: "^src/", circular: true },
    },
    {
      name: "services-never-import-entry-layers",
      severity: "error",
      comment: "Data flows one way: route or webhook -> service -> model. Services never import http/, webhooks/, cli/ or the wiring.",
      from: { path: SERVICES },
      to: { path: ENTRY_LAYERS },
    },
    {
      name: "users-core-depends-only-on-db-and-config",
      severity: "error",
      comment: "users/ holds the rules every service obeys (status machine, flags, rollout, user errors); it may use db/ and config only.",
      from: { path: "^src/users/" },
      to: { path: "^src/", pathNot: "^src/(users|db)/|^src/config\\.ts$" },
    },
    {
      name: "github-depends-only-on-config",
      severity: "error",
      comment: "github/ binds GitHub's endpoints and our credentials; it knows nothing of our services.",
      from: { path: "^src/github/" },
      to: { path: "^src/", pathNot: "^src/github/|^src/config\\.ts$" },
    },
    {
      name: "only-github-talks-to-github",
      severity: "error",
      comment: "Every GitHub call lives in src/github/. Type-only imports (response shapes) are fine anywhere.",
      from: { path: "^src/", pathNot: "^src/github/" },
      to: { path: "(^|/)node_modules/(@octokit/|octokit/)", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "probot-built-in-github-only",
      severity: "error",
      comment:
        "Probot is constructed from one binding in github/github-clients.ts; app-server.ts runs its Server and setup-flow.ts " +
        "(started by main.ts) its setup flow. Anywhere else only its types may be imported.",
      from: { path: "^src/", pathNot: "^src/github/|^src/(app-server|main|setup-flow)\\.ts$" },
      to: { path: "(^|/)node_modules/probot/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "jobs-are-infrastructure",
      severity: "error",
      comment: "jobs/ schedules, locks and backs off; the composition root hands it the work, so it imports no service.",
      from: { path: "^src/jobs/" },
      to: { path: "^src/", pathNot: "^src/(jobs|db|observability)/|^src/config\\.ts$" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing.",
      from: {},
      to: { couldNotResolve: true, dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      // Type-only packages such as @octokit/openapi-types have no main, only types.
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

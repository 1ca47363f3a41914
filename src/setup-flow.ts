// The first start without App credentials: Probot's setup flow (register the GitHub App from app.yml,
// or import an existing one), except that its setup page gets the manifest in a form that survives
// the page's markup. Probot writes the manifest JSON unescaped into a single-quoted HTML attribute
// (`value='…'`), so an apostrophe anywhere in app.yml ended the attribute and GitHub received
// broken JSON. Here every character that could end or alter an attribute value is written as a JSON
// \u escape: the same JSON to GitHub, whatever app.yml holds.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { Probot, Server } from "probot";

interface ProbotManifestCreation {
  readonly pkg: { name?: string; version?: string; description?: string };
  readonly createAppUrl: string;
  getManifest(options: { pkg: object; baseUrl: string; readFileSync?: (path: string, encoding: "utf8") => string }): string;
}

type SetupView = (options: { name?: string; version?: string; description?: string; createAppUrl: string; manifest: string }) => string;
type SetupHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean> | boolean;
type SetupAppFactory = (options: { host: string; port: number; log: Logger }) => (probot: Probot, options: unknown) => Promise<SetupHandler>;

/**
 * Probot's own setup page, manifest and setup app. Probot exports none of them, so they are loaded
 * from its files (pinned by package-lock; test/integration/setup-page.test.ts fails if they move).
 */
async function probotSetupModules() {
  const lib = new URL("./", pathToFileURL(createRequire(import.meta.url).resolve("probot")));
  const [view, manifest, app] = await Promise.all([
    import(new URL("views/setup.js", lib).href) as Promise<{ setupView: SetupView }>,
    import(new URL("manifest-creation.js", lib).href) as Promise<{ ManifestCreation: new (options: { updateEnv: () => void }) => ProbotManifestCreation }>,
    import(new URL("apps/setup.js", lib).href) as Promise<{ setupAppFactory: SetupAppFactory }>,
  ]);
  return { setupView: view.setupView, ManifestCreation: manifest.ManifestCreation, setupAppFactory: app.setupAppFactory };
}

/** The same JSON, with `&`, `'`, `<` and `>` (which JSON only has inside strings) written as \u escapes. */
export function attributeSafeJson(json: string): string {
  return JSON.stringify(JSON.parse(json)).replace(/[&'<>]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function escapeHtml(text: string | undefined): string | undefined {
  return text?.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Probot's setup page for this checkout (app.yml and package.json in the working folder), or for the app.yml text given. */
export async function renderSetupPage({ baseUrl, appYml }: { baseUrl: string; appYml?: string }): Promise<string> {
  const { setupView, ManifestCreation } = await probotSetupModules();
  const setup = new ManifestCreation({ updateEnv: () => {} });
  const pkg = setup.pkg;
  const manifest = setup.getManifest({ pkg, baseUrl, ...(appYml === undefined ? {} : { readFileSync: () => appYml }) });
  return setupView({
    name: escapeHtml(pkg.name),
    version: escapeHtml(pkg.version),
    description: escapeHtml(pkg.description),
    createAppUrl: setup.createAppUrl,
    manifest: attributeSafeJson(manifest),
  });
}

function baseUrlOf(request: IncomingMessage): string {
  const forwarded = request.headers["x-forwarded-proto"];
  const protocol = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim() || "http";
  return `${protocol}://${request.headers["x-forwarded-host"] ?? request.headers.host}`;
}

/** Serves the setup flow on host:port until the process stops (Probot's `run` without an App, with our page). */
export async function runSetupFlow({ host, port, log }: { host: string; port: number; log: Logger }): Promise<Server> {
  const { setupAppFactory } = await probotSetupModules();
  // Probot needs an App to construct itself, and setup never uses it (probot/probot#1512).
  const server = new Server({ host, port, log, Probot: Probot.defaults({ appId: 1, privateKey: "unused during setup", log }) });
  const probotSetup = setupAppFactory({ host: server.host, port: server.port, log: log.child({ name: "setup" }) });
  await server.loadHandlerFactory(async (probot, options) => {
    const probotHandler = await probotSetup(probot, options);
    return async (request: IncomingMessage, response: ServerResponse) => {
      if (request.method === "GET" && request.url?.split("?")[0] === "/probot") {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(await renderSetupPage({ baseUrl: baseUrlOf(request) }));
        return true;
      }
      return probotHandler(request, response);
    };
  });
  await server.start();
  return server;
}

// REST endpoints that list repositories for a user's token: `GET /user/repos` (what the token reads;
// for a GitHub App user token only what an installation also reaches) and, for App tokens only,
// `GET /user/installations/{installation_id}/repositories`.
import { Hono } from "hono";
import { runEndpoint } from "./endpoint-runner.js";
import { paginateByPage } from "./pagination.js";
import { authenticateUser, notFound } from "./rest-auth.js";
import { basicErrorBody, repositoryBody, type RepositoryBody, type UserInstallationRepositoriesBody } from "./response-shapes.js";
import type { SimulatorEnv, SimulatorRuntime } from "./runtime.js";

const APP_TOKEN_REQUIRED = "You must authenticate with an access token authorized to a GitHub App in order to list repositories";

export function repositoryRoutes(runtime: SimulatorRuntime): Hono<SimulatorEnv> {
  const routes = new Hono<SimulatorEnv>();
  const { world } = runtime;

  routes.get("/user/repos", (c) =>
    runEndpoint(c, runtime, "user_repos", () => {
      const auth = authenticateUser(c, runtime);
      if (!auth.ok) return auth.response;
      const { user, token } = auth.value;
      let readable = world.repositoriesReadableBy(user.login);
      if (token.client.kind === "app") {
        // A user access token reaches what both the user and an (unsuspended) installation reach.
        const reachable = new Set(
          world
            .installationsReachableBy(user.login)
            .filter((installation) => !installation.suspendedAt)
            .flatMap((installation) => installation.repositories.map((repository) => repository.id)),
        );
        readable = readable.filter((entry) => reachable.has(entry.repository.id));
      }
      const page = paginateByPage(readable, new URL(c.req.url));
      if (page.link) c.header("link", page.link);
      const body: RepositoryBody[] = page.items.map((entry) => repositoryBody(runtime.shapes, entry.owner, entry.repository));
      return c.json(body);
    }),
  );

  routes.get("/user/installations/:installation_id/repositories", (c) =>
    runEndpoint(c, runtime, "user_installation_repositories", () => {
      const auth = authenticateUser(c, runtime);
      if (!auth.ok) return auth.response;
      if (auth.value.token.client.kind !== "app") return c.json(basicErrorBody(APP_TOKEN_REQUIRED), 403);
      const installationId = Number(c.req.param("installation_id"));
      const installation = world.installationsReachableBy(auth.value.user.login).find((candidate) => candidate.id === installationId);
      if (!installation) return notFound(c);
      if (installation.suspendedAt) return c.json(basicErrorBody("This installation has been suspended"), 403);
      const repositories = world.installationRepositoriesReadableBy(installation, auth.value.user.login);
      const page = paginateByPage(repositories, new URL(c.req.url));
      if (page.link) c.header("link", page.link);
      const body: UserInstallationRepositoriesBody = {
        total_count: repositories.length,
        repository_selection: installation.repositorySelection,
        repositories: page.items.map((repository) => repositoryBody(runtime.shapes, installation.account, repository)),
      };
      return c.json(body);
    }),
  );

  return routes;
}

// GET /api/v1/admin/installations: what we know about installations, behind the admin key.
import { beforeAll, describe, expect, it } from "@jest/globals";
import { useTestAppOnFreshDatabase } from "../../support/app-on-fresh-database.js";

describe("GET /api/v1/admin/installations", () => {
  const running = useTestAppOnFreshDatabase();

  beforeAll(async () => {
    const installation = (id: number, extra: Record<string, unknown> = {}) => ({
      id,
      accountId: id * 10,
      accountLogin: `org-${id}`,
      accountType: "Organization",
      targetType: "Organization",
      repositorySelection: "selected" as const,
      ...extra,
    });
    await running.app.services.models.Installation.bulkCreate([
      installation(1),
      installation(2, { suspendedAt: new Date("2024-06-01T00:00:00Z"), suspendedBy: "admin" }),
      installation(3, { deletedAt: new Date("2024-07-01T00:00:00Z") }),
    ]);
    await running.app.services.models.InstallationRepository.bulkCreate([
      { installationId: 1, repositoryId: 100, fullName: "org-1/a" },
      { installationId: 1, repositoryId: 101, fullName: "org-1/b" },
      { installationId: 3, repositoryId: 300, fullName: "org-3/kept-as-history" },
    ]);
  });

  const get = (query = "", key: string | null = running.app.services.config.adminApiToken) =>
    fetch(`${running.app.url}/api/v1/admin/installations${query}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it("refuses a request without the admin key, and one with the service key", async () => {
    expect((await get("", null)).status).toBe(401);
    const wrongKey = await get("", running.app.services.config.serviceApiToken);
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toEqual({ error: "unauthorized", message: "The admin key is not valid." });
  });

  it("lists installations not deleted, with repository counts and suspension", async () => {
    const response = await get();
    expect(response.status).toBe(200);
    const body = (await response.json()) as { installations: Array<Record<string, unknown>>; next_after: number | null };
    expect(body.next_after).toBeNull();
    expect(body.installations.map((installation) => installation.id)).toEqual([1, 2]);
    expect(body.installations[0]).toMatchObject({
      account: { id: 10, login: "org-1", type: "Organization" },
      repository_selection: "selected",
      repositories_count: 2,
      suspended: false,
      deleted: false,
    });
    expect(body.installations[1]).toMatchObject({ suspended: true, suspended_at: "2024-06-01T00:00:00.000Z", suspended_by: "admin" });
  });

  it("includes deleted installations with ?include_deleted=true", async () => {
    const body = (await (await get("?include_deleted=true")).json()) as { installations: Array<Record<string, unknown>> };
    expect(body.installations.map((installation) => installation.id)).toEqual([1, 2, 3]);
    expect(body.installations[2]).toMatchObject({ deleted: true, deleted_at: "2024-07-01T00:00:00.000Z", repositories_count: 1 });
  });

  it("pages with limit and after", async () => {
    const first = (await (await get("?include_deleted=true&limit=2")).json()) as { installations: Array<{ id: number }>; next_after: number };
    expect(first.installations.map((installation) => installation.id)).toEqual([1, 2]);
    const second = (await (await get(`?include_deleted=true&limit=2&after=${first.next_after}`)).json()) as { installations: Array<{ id: number }> };
    expect(second.installations.map((installation) => installation.id)).toEqual([3]);
  });

  it("answers 400 naming an unknown or malformed parameter", async () => {
    const unknown = await get("?include_deleted=true&sort=login");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: "invalid_request", message: "unknown query parameter: sort" });
    const malformed = await get("?include_deleted=yes");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ message: "include_deleted: include_deleted must be true or false" });
  });
});

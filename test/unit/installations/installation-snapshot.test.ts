import { describe, expect, it } from "@jest/globals";
import { installationSnapshot } from "../../../src/installations/installation-snapshot.js";

const base = { id: 1, target_type: "Organization", repository_selection: "all" as const };

describe("installationSnapshot", () => {
  it("reads GitHub's epoch-second and ISO timestamps as the same instant", () => {
    const epoch = installationSnapshot({ ...base, created_at: 1525109898, updated_at: 1525109899 });
    const iso = installationSnapshot({ ...base, created_at: "2018-04-30T17:38:18Z", updated_at: "2018-04-30T13:38:19.000-04:00" });
    expect(epoch.githubCreatedAt).toEqual(new Date("2018-04-30T17:38:18Z"));
    expect(iso.githubCreatedAt).toEqual(epoch.githubCreatedAt);
    expect(iso.githubUpdatedAt).toEqual(epoch.githubUpdatedAt);
  });

  it("names an enterprise account by its slug", () => {
    const snapshot = installationSnapshot({ ...base, target_type: "Enterprise", account: { id: 7, slug: "big-corp" } });
    expect(snapshot).toMatchObject({ accountId: 7, accountLogin: "big-corp", accountType: "Enterprise" });
  });

  it("keeps who suspended it, and nothing when it is not suspended", () => {
    const suspended = installationSnapshot({ ...base, suspended_at: "2021-04-29T02:32:50Z", suspended_by: { login: "Codertocat" } });
    expect(suspended).toMatchObject({ suspendedAt: new Date("2021-04-29T02:32:50Z"), suspendedBy: "Codertocat" });
    expect(installationSnapshot(base)).toMatchObject({ suspendedAt: null, suspendedBy: null, permissions: {}, events: [] });
  });
});

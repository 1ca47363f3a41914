// GitHub's REST response bodies, built from the simulator's objects. Each builder is typed with the
// schema from @octokit/openapi-types, so tsc proves the shapes match GitHub's published description.
import { createHash } from "node:crypto";
import type { components, operations } from "@octokit/openapi-types";
import type { UserTokenRecord } from "./token-ledger.js";
import type { SimulatorInstallation, SimulatorRepository, SimulatorUser } from "./types.js";

type Schemas = components["schemas"];
type PrivateUserBody = Schemas["private-user"];
type SimpleUserBody = Schemas["simple-user"];
type InstallationBody = Schemas["installation"];
export type RepositoryBody = Schemas["repository"];
type AuthorizationBody = Schemas["authorization"];
export type HookDeliveryItemBody = Schemas["hook-delivery-item"];
type InstallationTokenBody = Schemas["installation-token"];
type BasicErrorBody = Schemas["basic-error"];
type IntegrationBody = NonNullable<Schemas["integration"]>;
type JsonAnswer<Operation extends keyof operations, Status extends number> = operations[Operation]["responses"] extends Record<Status, { content: { "application/json": infer Body } }> ? Body : never;
export type UserInstallationsBody = JsonAnswer<"apps/list-installations-for-authenticated-user", 200>;
export type InstallationRepositoriesBody = JsonAnswer<"apps/list-repos-accessible-to-installation", 200>;
export type UserInstallationRepositoriesBody = JsonAnswer<"apps/list-installation-repos-for-authenticated-user", 200>;

export interface ShapeContext {
  /** e.g. http://127.0.0.1:4000/api/v3 */
  apiBaseUrl: string;
  /** e.g. http://127.0.0.1:4000 */
  webBaseUrl: string;
  app: { id: number; slug: string; clientId: string };
}

/** Every account gets the same fixed creation date: nothing in the app depends on it. */
const EPOCH = "2020-01-01T00:00:00Z";

export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind}${id}`).toString("base64");
}

export function simpleUserBody(context: ShapeContext, account: { id: number; login: string; type: "User" | "Organization" }): SimpleUserBody {
  const api = `${context.apiBaseUrl}/users/${account.login}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type === "User" ? "4:User" : "12:Organization", account.id),
    avatar_url: `${context.webBaseUrl}/avatars/u/${account.id}`,
    gravatar_id: "",
    url: api,
    html_url: `${context.webBaseUrl}/${account.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: account.type,
    site_admin: false,
  };
}

export function privateUserBody(context: ShapeContext, user: SimulatorUser): PrivateUserBody {
  return {
    ...simpleUserBody(context, user),
    name: user.name,
    company: null,
    blog: null,
    location: null,
    email: user.email,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: EPOCH,
    updated_at: EPOCH,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: false,
    plan: { collaborators: 0, name: "free", space: 976562499, private_repos: 10000 },
  };
}

export function installationBody(context: ShapeContext, installation: SimulatorInstallation): InstallationBody {
  return {
    id: installation.id,
    client_id: context.app.clientId,
    account: simpleUserBody(context, installation.account),
    repository_selection: installation.repositorySelection,
    access_tokens_url: `${context.apiBaseUrl}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${context.apiBaseUrl}/installation/repositories`,
    html_url: `${context.webBaseUrl}/settings/installations/${installation.id}`,
    app_id: context.app.id,
    app_slug: context.app.slug,
    target_id: installation.account.id,
    target_type: installation.account.type,
    permissions: installation.permissions,
    events: installation.events,
    created_at: EPOCH,
    updated_at: EPOCH,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: installation.suspendedAt,
  };
}

export function repositoryBody(
  context: ShapeContext,
  owner: { id: number; login: string; type: "User" | "Organization" },
  repository: SimulatorRepository,
): RepositoryBody {
  const api = `${context.apiBaseUrl}/repos/${repository.fullName}`;
  const html = `${context.webBaseUrl}/${repository.fullName}`;
  return {
    id: repository.id,
    node_id: nodeId("10:Repository", repository.id),
    name: repository.name,
    full_name: repository.fullName,
    license: null,
    forks: 0,
    permissions: { admin: false, pull: true, push: false, triage: false, maintain: false },
    owner: simpleUserBody(context, owner),
    private: repository.private,
    visibility: repository.private ? "private" : "public",
    html_url: html,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${new URL(context.webBaseUrl).host}/${repository.fullName}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${new URL(context.webBaseUrl).hostname}:${repository.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: "main",
    open_issues_count: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    pushed_at: EPOCH,
    created_at: EPOCH,
    updated_at: EPOCH,
    allow_forking: true,
    web_commit_signoff_required: false,
    open_issues: 0,
    watchers: 0,
  };
}

export function authorizationBody(
  context: ShapeContext,
  record: UserTokenRecord,
  user: SimulatorUser,
  app: { clientId: string; name: string; url: string },
): AuthorizationBody {
  return {
    id: record.id,
    url: `${context.apiBaseUrl}/authorizations/${record.id}`,
    scopes: [],
    token: record.accessToken,
    token_last_eight: record.accessToken.slice(-8),
    hashed_token: createHash("sha256").update(record.accessToken).digest("hex"),
    app: { client_id: app.clientId, name: app.name, url: app.url },
    note: null,
    note_url: null,
    updated_at: record.updatedAt.toISOString(),
    created_at: record.createdAt.toISOString(),
    fingerprint: null,
    user: simpleUserBody(context, user),
    expires_at: record.expiresAt?.toISOString() ?? null,
  };
}

/** GET /app: the App itself, as its owner registered it. */
export function integrationBody(context: ShapeContext, installationsCount: number): IntegrationBody {
  const owner = { id: 1, login: "github-app-owner", type: "Organization" as const };
  return {
    id: context.app.id,
    slug: context.app.slug,
    node_id: nodeId("3:Integration", context.app.id),
    client_id: context.app.clientId,
    owner: simpleUserBody(context, owner),
    name: context.app.slug,
    description: "A GitHub App served by the GitHub simulator.",
    external_url: context.webBaseUrl,
    html_url: `${context.webBaseUrl}/apps/${context.app.slug}`,
    created_at: EPOCH,
    updated_at: EPOCH,
    permissions: {},
    events: ["installation_target"],
    installations_count: installationsCount,
  };
}

export function installationTokenBody(
  installation: SimulatorInstallation,
  token: { token: string; expiresAt: Date },
): InstallationTokenBody {
  return {
    token: token.token,
    expires_at: token.expiresAt.toISOString(),
    permissions: installation.permissions,
    repository_selection: installation.repositorySelection,
  };
}

export function basicErrorBody(message: string, documentationUrl = "https://docs.github.com/enterprise-server/rest"): BasicErrorBody {
  return { message, documentation_url: documentationUrl };
}

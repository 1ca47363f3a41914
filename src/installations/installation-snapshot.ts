// An installation as GitHub describes it at one moment, read from either of the shapes GitHub sends:
// a webhook payload's `installation` or a REST answer from GET /app/installations. Both vary across
// github.com and GHES versions (timestamps as epoch seconds or ISO text, enterprise accounts
// without a login), so the reading is lenient and done once, here.

export interface InstallationSnapshot {
  id: number;
  accountId: number;
  accountLogin: string;
  accountType: string;
  targetType: string;
  repositorySelection: "all" | "selected";
  permissions: Record<string, string>;
  events: string[];
  suspendedAt: Date | null;
  suspendedBy: string | null;
  githubCreatedAt: Date | null;
  /** GitHub moves it on every change of the installation, suspension included: our ordering clock. */
  githubUpdatedAt: Date | null;
}

export interface RepositorySnapshot {
  id: number;
  fullName: string;
  private: boolean;
}

/** The fields we read; anything else GitHub sends is ignored. */
interface GitHubInstallationShape {
  id: number;
  // REST types allow bigint ids; GitHub ids fit in a double, which is how we store them.
  account?: { id: number | bigint; login?: string; slug?: string; type?: string } | null;
  target_id?: number;
  target_type: string;
  repository_selection: "all" | "selected";
  permissions?: object;
  events?: string[];
  suspended_at?: string | null;
  suspended_by?: { login: string } | null;
  created_at?: string | number;
  updated_at?: string | number;
}

interface GitHubRepositoryShape {
  id: number | bigint;
  full_name: string;
  private: boolean;
}

export function installationSnapshot(installation: GitHubInstallationShape): InstallationSnapshot {
  const account = installation.account ?? null;
  return {
    id: installation.id,
    accountId: Number(account?.id ?? installation.target_id ?? 0),
    // Enterprise accounts have a slug where users and organizations have a login.
    accountLogin: account?.login ?? account?.slug ?? "",
    accountType: account?.type ?? (account?.slug ? "Enterprise" : installation.target_type),
    targetType: installation.target_type,
    repositorySelection: installation.repository_selection,
    permissions: { ...(installation.permissions ?? {}) } as Record<string, string>,
    events: [...(installation.events ?? [])],
    suspendedAt: githubTime(installation.suspended_at),
    suspendedBy: installation.suspended_by?.login ?? null,
    githubCreatedAt: githubTime(installation.created_at),
    githubUpdatedAt: githubTime(installation.updated_at),
  };
}

export function repositorySnapshot(repository: GitHubRepositoryShape): RepositorySnapshot {
  return { id: Number(repository.id), fullName: repository.full_name, private: repository.private };
}

/** GitHub sends some installation timestamps as epoch seconds and others as ISO 8601 text. */
function githubTime(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const time = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(time.getTime()) ? null : time;
}

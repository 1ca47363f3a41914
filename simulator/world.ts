// The simulated GitHub's accounts: users, organizations with their members, the repositories each
// account owns and who reads them, and the App's installations (all or selected repositories).
import type {
  SimulatorInstallation,
  SimulatorInstallationInput,
  SimulatorOrganization,
  SimulatorOrganizationInput,
  SimulatorRepository,
  SimulatorRepositoryInput,
  SimulatorUser,
  SimulatorUserInput,
} from "./types.js";

type Account = SimulatorInstallation["account"];

export class SimulatorWorld {
  private readonly users = new Map<string, SimulatorUser>();
  private readonly installations = new Map<number, SimulatorInstallation>();
  private readonly organizations = new Map<string, SimulatorOrganization>();
  /** Every repository by owner login (lower case); installations share these objects. */
  private readonly ownedRepositories = new Map<string, Array<{ owner: Account; repository: SimulatorRepository }>>();
  /** Outside collaborators: repository id → logins (lower case) that read it without owning or membership. */
  private readonly collaborators = new Map<number, Set<string>>();
  /** Ids count up from values that look like GitHub's and never collide between kinds. */
  private nextUserId = 1001;
  private nextInstallationId = 50001;
  private nextRepositoryId = 700001;
  private nextOrganizationId = 9001;

  addUser(input: SimulatorUserInput): SimulatorUser {
    const user: SimulatorUser = {
      id: input.id ?? this.nextUserId++,
      login: input.login,
      name: input.name ?? null,
      email: input.email ?? null,
      type: "User",
    };
    this.users.set(user.login.toLowerCase(), user);
    return user;
  }

  user(login: string): SimulatorUser | undefined {
    return this.users.get(login.toLowerCase());
  }

  requireUser(login: string): SimulatorUser {
    const user = this.user(login);
    if (!user) throw new Error(`Simulator: no user "${login}" (add it with addUser first)`);
    return user;
  }

  allUsers(): SimulatorUser[] {
    return [...this.users.values()];
  }

  addInstallation(input: SimulatorInstallationInput): SimulatorInstallation {
    const accountType = input.account.type ?? (this.user(input.account.login) ? "User" : "Organization");
    const known = accountType === "User" ? this.user(input.account.login) : this.organization(input.account.login);
    const accountId = input.account.id ?? known?.id ?? this.nextOrganizationId++;
    // The organization becomes known to the world too, so repositories added to it later share its id.
    if (accountType === "Organization" && !known) this.addOrganization({ login: input.account.login, id: accountId });
    const installation: SimulatorInstallation = {
      id: input.id ?? this.nextInstallationId++,
      account: { id: accountId, login: input.account.login, type: accountType },
      repositorySelection: input.repositorySelection ?? "selected",
      repositories: [],
      permissions: input.permissions ?? { metadata: "read", contents: "read" },
      events: input.events ?? [],
      suspendedAt: null,
      userLogins: input.userLogins ?? (accountType === "User" ? [input.account.login] : []),
    };
    this.addRepositories(installation, input.repositories ?? []);
    // An installation on "all" repositories reaches every repository its account owns, present and future.
    if (installation.repositorySelection === "all") {
      for (const { repository } of this.ownedBy(installation.account.login)) {
        if (!installation.repositories.includes(repository)) installation.repositories.push(repository);
      }
    }
    this.installations.set(installation.id, installation);
    return installation;
  }

  addRepositories(installation: SimulatorInstallation, repositories: Array<{ name: string; id?: number; private?: boolean }>) {
    const added = repositories.map((repository) => this.ownRepository(installation.account, repository));
    installation.repositories.push(...added.filter((repository) => !installation.repositories.includes(repository)));
    return added;
  }

  addOrganization(input: SimulatorOrganizationInput): SimulatorOrganization {
    const organization: SimulatorOrganization = {
      id: input.id ?? this.nextOrganizationId++,
      login: input.login,
      type: "Organization",
      memberLogins: [...(input.members ?? [])],
    };
    this.organizations.set(organization.login.toLowerCase(), organization);
    return organization;
  }

  organization(login: string): SimulatorOrganization | undefined {
    return this.organizations.get(login.toLowerCase());
  }

  /**
   * A repository owned by a user or an organization (created on first mention, with the next id);
   * an "all" installation on its owner reaches it at once.
   */
  addRepository(input: SimulatorRepositoryInput): SimulatorRepository {
    const owner = this.accountOf(input.owner);
    const repository = this.ownRepository(owner, input);
    for (const login of input.collaborators ?? []) {
      const readers = this.collaborators.get(repository.id) ?? new Set<string>();
      readers.add(login.toLowerCase());
      this.collaborators.set(repository.id, readers);
    }
    for (const installation of this.installations.values()) {
      if (installation.repositorySelection === "all" && sameLogin(installation.account.login, owner.login) && !installation.repositories.includes(repository)) {
        installation.repositories.push(repository);
      }
    }
    return repository;
  }

  /**
   * What `GET /user/repos` lists for the user's legacy token: repositories the user owns, those of the
   * organizations they belong to, and those they collaborate on; sorted by full name.
   */
  repositoriesReadableBy(login: string): Array<{ owner: Account; repository: SimulatorRepository }> {
    const wanted = login.toLowerCase();
    const readable: Array<{ owner: Account; repository: SimulatorRepository }> = [];
    for (const owned of this.ownedRepositories.values()) {
      for (const entry of owned) {
        const organization = entry.owner.type === "Organization" ? this.organization(entry.owner.login) : undefined;
        if (
          sameLogin(entry.owner.login, wanted) ||
          organization?.memberLogins.some((member) => sameLogin(member, wanted)) ||
          this.collaborators.get(entry.repository.id)?.has(wanted)
        ) {
          readable.push(entry);
        }
      }
    }
    return readable.sort((a, b) => a.repository.fullName.localeCompare(b.repository.fullName));
  }

  /** The installation's repositories that this user also reads (what a user access token reaches through it). */
  installationRepositoriesReadableBy(installation: SimulatorInstallation, login: string): SimulatorRepository[] {
    const readable = new Set(this.repositoriesReadableBy(login).map((entry) => entry.repository.id));
    return installation.repositories.filter((repository) => readable.has(repository.id));
  }

  private accountOf(login: string): Account {
    const user = this.user(login);
    if (user) return { id: user.id, login: user.login, type: "User" };
    const organization = this.organization(login) ?? this.addOrganization({ login });
    return { id: organization.id, login: organization.login, type: "Organization" };
  }

  private ownedBy(login: string) {
    return this.ownedRepositories.get(login.toLowerCase()) ?? [];
  }

  /** The account's repository of that name (or id), created when new. */
  private ownRepository(owner: Account, input: { name: string; id?: number; private?: boolean }): SimulatorRepository {
    const owned = this.ownedBy(owner.login);
    const existing = owned.find((entry) => (input.id === undefined ? entry.repository.name === input.name : entry.repository.id === input.id));
    if (existing) return existing.repository;
    const repository: SimulatorRepository = {
      id: input.id ?? this.nextRepositoryId++,
      name: input.name,
      fullName: `${owner.login}/${input.name}`,
      private: input.private ?? false,
    };
    this.ownedRepositories.set(owner.login.toLowerCase(), [...owned, { owner, repository }]);
    return repository;
  }

  removeRepositories(installation: SimulatorInstallation, wanted: Array<{ name: string; id?: number }>) {
    const removed = installation.repositories.filter((repository) =>
      wanted.some((candidate) => (candidate.id === undefined ? candidate.name === repository.name : candidate.id === repository.id)),
    );
    installation.repositories = installation.repositories.filter((repository) => !removed.includes(repository));
    return removed;
  }

  /** An account renamed on GitHub: the installation, its repositories and (for a user) the user follow. */
  renameAccount(installation: SimulatorInstallation, newLogin: string) {
    const oldLogin = installation.account.login;
    const user = installation.account.type === "User" ? this.user(oldLogin) : undefined;
    if (user) {
      this.users.delete(oldLogin.toLowerCase());
      user.login = newLogin;
      this.users.set(newLogin.toLowerCase(), user);
      for (const other of this.installations.values()) {
        other.userLogins = other.userLogins.map((login) => (login.toLowerCase() === oldLogin.toLowerCase() ? newLogin : login));
      }
    }
    const organization = installation.account.type === "Organization" ? this.organization(oldLogin) : undefined;
    if (organization) {
      this.organizations.delete(oldLogin.toLowerCase());
      organization.login = newLogin;
      this.organizations.set(newLogin.toLowerCase(), organization);
    }
    installation.account.login = newLogin;
    for (const repository of installation.repositories) repository.fullName = `${newLogin}/${repository.name}`;
    const owned = this.ownedRepositories.get(oldLogin.toLowerCase());
    if (owned) {
      this.ownedRepositories.delete(oldLogin.toLowerCase());
      for (const entry of owned) {
        entry.owner = { ...entry.owner, login: newLogin };
        entry.repository.fullName = `${newLogin}/${entry.repository.name}`;
      }
      this.ownedRepositories.set(newLogin.toLowerCase(), owned);
    }
  }

  installation(id: number): SimulatorInstallation | undefined {
    return this.installations.get(id);
  }

  requireInstallation(id: number): SimulatorInstallation {
    const installation = this.installation(id);
    if (!installation) throw new Error(`Simulator: no installation ${id}`);
    return installation;
  }

  removeInstallation(id: number) {
    this.installations.delete(id);
  }

  /** Sorted by id, as GitHub lists them. */
  allInstallations(): SimulatorInstallation[] {
    return [...this.installations.values()].sort((a, b) => a.id - b.id);
  }

  /** Installations naming the user, and those on an organization the user belongs to. */
  installationsReachableBy(login: string): SimulatorInstallation[] {
    const wanted = login.toLowerCase();
    return this.allInstallations().filter(
      (installation) =>
        installation.userLogins.some((candidate) => candidate.toLowerCase() === wanted) ||
        (this.organization(installation.account.login)?.memberLogins.some((member) => sameLogin(member, wanted)) ?? false),
    );
  }
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

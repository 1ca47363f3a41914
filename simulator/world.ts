// The simulated GitHub's accounts: users, installations and their repositories.
import type { SimulatorInstallation, SimulatorInstallationInput, SimulatorUser, SimulatorUserInput } from "./types.js";

export class SimulatorWorld {
  private readonly users = new Map<string, SimulatorUser>();
  private readonly installations = new Map<number, SimulatorInstallation>();
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
    const accountId =
      input.account.id ?? (accountType === "User" ? this.user(input.account.login)?.id : undefined) ?? this.nextOrganizationId++;
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
    this.installations.set(installation.id, installation);
    return installation;
  }

  addRepositories(installation: SimulatorInstallation, repositories: Array<{ name: string; id?: number; private?: boolean }>) {
    const added = repositories.map((repository) => ({
      id: repository.id ?? this.nextRepositoryId++,
      name: repository.name,
      fullName: `${installation.account.login}/${repository.name}`,
      private: repository.private ?? false,
    }));
    installation.repositories.push(...added);
    return added;
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
    installation.account.login = newLogin;
    for (const repository of installation.repositories) repository.fullName = `${newLogin}/${repository.name}`;
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

  installationsReachableBy(login: string): SimulatorInstallation[] {
    const wanted = login.toLowerCase();
    return this.allInstallations().filter((installation) => installation.userLogins.some((candidate) => candidate.toLowerCase() === wanted));
  }
}

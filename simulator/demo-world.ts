// The world the standalone simulator and `npm run demo` start with: big enough to watch a migration.
// Three named people (octocat, hubot, monalisa the maintainer) and several hundred developers spread
// over four organizations: the GitHub App is installed on two of them (octo-org, acme-corp) and on
// octocat's own account, not on initech or globex. Members read their organization's repositories
// with their legacy tokens (GET /user/repos), so the readiness view shows who would lose initech's and
// globex's repositories, with install links.
import type { GitHubSimulator, SimulatorInstallation, SimulatorUser } from "./types.js";

export const DEMO_NAMED_LOGINS = ["octocat", "hubot", "monalisa"] as const;

/** Organizations and how many developers each has; `installed`: whether the GitHub App is installed there. */
export const DEMO_ORGANIZATIONS = [
  { login: "octo-org", developers: 120, installed: true },
  { login: "acme-corp", developers: 90, installed: true },
  { login: "initech", developers: 60, installed: false },
  { login: "globex", developers: 30, installed: false },
] as const;

export interface DemoWorld {
  namedUsers: SimulatorUser[];
  /** Every user, named ones first. */
  users: SimulatorUser[];
  /** The organization each developer belongs to (named users belong to octo-org). */
  organizationOf: Map<string, string>;
  installations: SimulatorInstallation[];
}

export function seedDemoWorld(simulator: GitHubSimulator): DemoWorld {
  const namedUsers = [
    simulator.addUser({ login: "octocat", name: "The Octocat", email: "octocat@example.com" }),
    simulator.addUser({ login: "hubot", name: "Hubot", email: "hubot@example.com" }),
    simulator.addUser({ login: "monalisa", name: "Mona Lisa Octocat" }),
  ];
  const users = [...namedUsers];
  const organizationOf = new Map<string, string>(namedUsers.map((user) => [user.login, "octo-org"]));
  const installations: SimulatorInstallation[] = [];
  for (const organization of DEMO_ORGANIZATIONS) {
    const members = Array.from({ length: organization.developers }, (_, index) =>
      simulator.addUser({ login: `${organization.login}-dev-${String(index + 1).padStart(3, "0")}` }),
    );
    users.push(...members);
    for (const member of members) organizationOf.set(member.login, organization.login);
    const memberLogins = members.map((member) => member.login);
    const allMembers = organization.login === "octo-org" ? [...DEMO_NAMED_LOGINS, ...memberLogins] : memberLogins;
    simulator.addOrganization({ login: organization.login, members: allMembers });
    if (organization.installed) {
      installations.push(
        simulator.addInstallation({
          account: { login: organization.login, type: "Organization" },
          repositories: [{ name: "hello-world" }, { name: "spoon-knife", private: true }],
          userLogins: allMembers,
        }),
      );
    } else {
      for (const name of ["legacy-service", "internal-tools"]) simulator.addRepository({ owner: organization.login, name });
    }
  }
  installations.push(simulator.addInstallation({ account: { login: "octocat" }, repositories: [{ name: "dotfiles" }] }));
  return { namedUsers, users, organizationOf, installations };
}

// The small world the standalone simulator and `npm run demo` start with: three users and two
// installations (an organization all three reach, and octocat's own account), plus an organization
// two of them read where the App is not installed.
import type { GitHubSimulator, SimulatorInstallation, SimulatorOrganization, SimulatorUser } from "./types.js";

export const DEMO_LOGINS = ["octocat", "hubot", "monalisa"] as const;

export interface DemoWorld {
  users: SimulatorUser[];
  organizationInstallation: SimulatorInstallation;
  personalInstallation: SimulatorInstallation;
  /** An organization two users read through their legacy tokens, where the App is not installed. */
  uninstalledOrganization: SimulatorOrganization;
}

export function seedDemoWorld(simulator: GitHubSimulator): DemoWorld {
  const users = [
    simulator.addUser({ login: "octocat", name: "The Octocat", email: "octocat@example.com" }),
    simulator.addUser({ login: "hubot", name: "Hubot", email: "hubot@example.com" }),
    simulator.addUser({ login: "monalisa", name: "Mona Lisa Octocat" }),
  ];
  // Members read their organizations' repositories with their legacy tokens (GET /user/repos).
  simulator.addOrganization({ login: "octo-org", members: [...DEMO_LOGINS] });
  const organizationInstallation = simulator.addInstallation({
    account: { login: "octo-org", type: "Organization" },
    repositories: [{ name: "hello-world" }, { name: "spoon-knife", private: true }],
    userLogins: [...DEMO_LOGINS],
  });
  const personalInstallation = simulator.addInstallation({ account: { login: "octocat" }, repositories: [{ name: "dotfiles" }] });
  // Without the App: the readiness view shows who would lose these repositories, with an install link.
  const uninstalledOrganization = simulator.addOrganization({ login: "octo-labs", members: ["octocat", "hubot"] });
  for (const name of ["experiments", "prototype", "benchmarks"]) simulator.addRepository({ owner: "octo-labs", name });
  return { users, organizationInstallation, personalInstallation, uninstalledOrganization };
}

// The small world the standalone simulator and `npm run demo` start with: three users and two
// installations (an organization all three reach, and octocat's own account).
import type { GitHubSimulator, SimulatorInstallation, SimulatorUser } from "./types.js";

export const DEMO_LOGINS = ["octocat", "hubot", "monalisa"] as const;

interface DemoWorld {
  users: SimulatorUser[];
  organizationInstallation: SimulatorInstallation;
  personalInstallation: SimulatorInstallation;
}

export function seedDemoWorld(simulator: GitHubSimulator): DemoWorld {
  const users = [
    simulator.addUser({ login: "octocat", name: "The Octocat", email: "octocat@example.com" }),
    simulator.addUser({ login: "hubot", name: "Hubot", email: "hubot@example.com" }),
    simulator.addUser({ login: "monalisa", name: "Mona Lisa Octocat" }),
  ];
  const organizationInstallation = simulator.addInstallation({
    account: { login: "octo-org", type: "Organization" },
    repositories: [{ name: "hello-world" }, { name: "spoon-knife", private: true }],
    userLogins: [...DEMO_LOGINS],
  });
  const personalInstallation = simulator.addInstallation({ account: { login: "octocat" }, repositories: [{ name: "dotfiles" }] });
  return { users, organizationInstallation, personalInstallation };
}

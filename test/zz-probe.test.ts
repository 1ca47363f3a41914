import { it, expect } from "@jest/globals";
import { startTestSimulator, LEGACY_APP } from "../test/simulator/simulator-fixture.js";
import { OAuthClientCredentials } from "../src/github/client-credentials.js";
import { OAuthAppCredentials } from "../src/github/oauth-app-credentials.js";
import { githubEndpoints } from "../src/config.js";
it("probe", async () => {
  const simulator = await startTestSimulator();
  const github = githubEndpoints(simulator.host, "http");
  const credentials = new OAuthClientCredentials({ github, timeoutMs: 5000, client: { clientId: LEGACY_APP.clientId, secrets: [LEGACY_APP.clientSecret], clientType: "oauth-app", idVariable: "A", secretVariable: "B" } });
  const api = new OAuthAppCredentials({ github, credentials, timeoutMs: 5000 });
  simulator.addUser({ login: "a1" });
  const live = simulator.issueTokens("a1", "legacy").accessToken;
  const results = await Promise.allSettled([...Array(20)].map((_, i) => api.checkToken(i % 2 ? live : `gho_${"x".repeat(36)}`)));
  console.log(JSON.stringify(results.map(r => r.status === "fulfilled" ? r.value.valid : String(r.reason))), simulator.counters.calls("check_token"), simulator.counters.calls("exchange"));
  await simulator.stop();
});

// "Register GitHub App" on Probot's setup page posts the manifest from the button's value. Probot
// writes that value into a single-quoted attribute, so the page is read here as a browser reads
// it, and what GitHub would receive must be our app.yml, exactly, as JSON.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Server } from "probot";
import { parse as parseYaml } from "yaml";
import { findFreePort } from "../../src/free-port.js";
import { attributeSafeJson, renderSetupPage, runSetupFlow } from "../../src/setup-flow.js";
import { captureLog } from "../support/app.js";
import { attributesOfElementWithId } from "../support/html-attributes.js";

const BASE_URL = "http://localhost:3000";

function manifestPosted(html: string): unknown {
  return JSON.parse(attributesOfElementWithId(html, "manifest").value!);
}

describe("Probot's setup page", () => {
  it("posts our app.yml as valid JSON, apostrophes and all", async () => {
    const appYml = readFileSync("app.yml", "utf8");
    expect(appYml).toContain("'");
    const manifest = manifestPosted(await renderSetupPage({ baseUrl: BASE_URL }));
    expect(manifest).toMatchObject(parseYaml(appYml) as object);
    expect(manifest).toMatchObject({ redirect_url: `${BASE_URL}/probot/setup`, hook_attributes: { url: expect.any(String) } });
  });

  it("posts valid JSON whatever app.yml holds: quotes, ampersands, angle brackets, character references", async () => {
    const description = `It's "ours" & <b>bold</b> &amp; &#39; ' ''`;
    const html = await renderSetupPage({ baseUrl: BASE_URL, appYml: `name: "x's app"\ndescription: ${JSON.stringify(description)}\n` });
    expect(manifestPosted(html)).toMatchObject({ name: "x's app", description });
  });

  it("writes the same JSON, only with escapes a JSON parser reads back unchanged", () => {
    const json = JSON.stringify({ a: `'&<>"\\`, b: [1, null, true] });
    const safe = attributeSafeJson(json);
    expect(safe).not.toMatch(/[&'<>]/);
    expect(JSON.parse(safe)).toEqual(JSON.parse(json));
  });

  describe("served by the setup flow", () => {
    let server: Server;
    let url: string;

    beforeAll(async () => {
      // No smee.io channel: the test machine has no network.
      process.env.NO_SMEE_SETUP = "true";
      const port = await findFreePort();
      server = await runSetupFlow({ host: "127.0.0.1", port, log: (await captureLog()).log });
      url = `http://127.0.0.1:${port}`;
    });
    afterAll(async () => {
      await server.stop();
      delete process.env.NO_SMEE_SETUP;
    });

    it("serves the page with the valid manifest, and leaves Probot's other setup routes to Probot", async () => {
      const page = await fetch(`${url}/probot`);
      expect(page.status).toBe(200);
      expect(manifestPosted(await page.text())).toMatchObject({ description: expect.stringContaining("application's users") });
      expect((await fetch(`${url}/`, { redirect: "manual" })).headers.get("location")).toBe("/probot");
      expect((await fetch(`${url}/probot/import`)).status).toBe(200);
      expect((await fetch(`${url}/probot/setup`)).status).toBe(400);
    });
  });
});

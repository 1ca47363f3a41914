// Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core,
// and screenshots kept as test artifacts and as the documentation's pictures.
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM_PATH = "/usr/bin/chromium";

const ARGS = [
  "--headless=new",
  "--no-sandbox", // CI runs as root, where Chromium's sandbox cannot start
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const ROOT = path.resolve(import.meta.dirname, "../..");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "screenshots");
const DOCS = path.join(ROOT, "docs", "screenshots");

/**
 * Fails (never skips) when Chromium cannot start: a browser test that silently does not run would
 * leave the pages untested in CI. Playwright gives each launch a fresh temporary profile.
 */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 20_000 });
  } catch (error) {
    throw new Error(
      `Headless Chromium could not be started from ${CHROMIUM_PATH}, so the browser tests cannot run. ` +
        `Install it with "apt-get install -y chromium" (.ci/run does this when it is missing). Cause: ${(error as Error).message}`,
    );
  }
}

/** Saves a full-page PNG under test-artifacts/screenshots/ and copies it to docs/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Promise.all([mkdir(ARTIFACTS, { recursive: true }), mkdir(DOCS, { recursive: true })]);
  const artifact = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: artifact, fullPage: true });
  await copyFile(artifact, path.join(DOCS, `${name}.png`));
}

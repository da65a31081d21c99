#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The `lineage` command as npm links it (package.json "bin"; `npx lineage ...`): plain Node that loads the TypeScript
// CLI (cli/bin.ts) through tsx's API, from any working directory and whatever path the link has.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("./bin.ts");
await runCli(process.argv);

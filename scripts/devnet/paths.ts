// SPDX-License-Identifier: MIT
/** Paths of committed devnet assets. */
import { join } from "node:path";
import { REPO_ROOT } from "../../sdk/addresses/index.ts";

/** The demo adapter trained by `train-demo-adapter.ts` (adapter.gguf, manifest.json, PEFT export). */
export const DEMO_ADAPTER_DIR = join(REPO_ROOT, "scripts", "devnet", "demo-adapter");

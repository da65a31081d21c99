// SPDX-License-Identifier: MIT
/** Local free mode: `--adapter name=path.gguf` (and the base model as `base`), no chain, no metering. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ModelSource, ServedModel } from "./types.ts";

const ZERO = `0x${"00".repeat(32)}` as const;

export class LocalRegistry implements ModelSource {
  private readonly models = new Map<string, ServedModel>();

  private constructor() {}

  /** `specs` are `name=path` pairs; the base is served as `baseName` unless null. */
  static async create(specs: readonly string[], baseName: string | null = "base"): Promise<LocalRegistry> {
    const r = new LocalRegistry();
    const now = Math.floor(Date.now() / 1000);
    if (baseName) r.models.set(baseName, { name: baseName, adapterDigest: ZERO, pricePer1k: 0n, created: now, adapters: async () => [] });
    for (const spec of specs) {
      const eq = spec.indexOf("=");
      if (eq <= 0 || eq === spec.length - 1) throw new Error(`--adapter wants name=path.gguf, got "${spec}"`);
      const name = spec.slice(0, eq);
      const path = spec.slice(eq + 1);
      if (!/^[A-Za-z0-9._:/-]{1,128}$/.test(name)) throw new Error(`adapter name "${name}": letters, digits and . _ : / - only`);
      if (r.models.has(name)) throw new Error(`adapter name "${name}" given twice`);
      const bytes = await readFile(path).catch(() => {
        throw new Error(`adapter ${name}: no such file ${path}`);
      });
      const digest = `0x${createHash("sha256").update(bytes).digest("hex")}` as const;
      const use = [{ digest, path, scale: 1, name }];
      r.models.set(name, { name, adapterDigest: digest, pricePer1k: 0n, created: now, adapters: async () => use });
    }
    return r;
  }

  list(): ServedModel[] {
    return [...this.models.values()];
  }
  get(name: string): ServedModel | undefined {
    return this.models.get(name);
  }
  close(): void {}
}

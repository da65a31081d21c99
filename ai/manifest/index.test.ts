// SPDX-License-Identifier: MIT
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../sdk/content/index.ts";
import { tinyLlamaConfig } from "../formats/index.ts";
import {
  canonicalManifestBytes,
  fileRef,
  MANIFEST_SCHEMA,
  ManifestError,
  manifestDigest,
  readManifest,
  type TrainingManifest,
  verifyManifestFiles,
  writeManifest,
} from "./index.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const files = { gguf: enc("gguf bytes"), st: enc("safetensors bytes"), cfg: enc('{"peft_type":"LORA"}') };

function manifest(): TrainingManifest {
  return {
    schema: MANIFEST_SCHEMA,
    createdAt: "2026-11-23T09:30:00.000Z",
    base: { digest: sha256Hex(enc("base")), name: "lineage-tiny", config: tinyLlamaConfig() },
    data: {
      source: "datanet",
      chainId: 31337,
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      datanetId: "1",
      versionId: "2",
      root: sha256Hex(enc("root")),
      contributions: [{ id: "7", digest: sha256Hex(enc("c7")), contributor: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }],
      records: 120,
      trainRecords: 100,
      evalRecords: 20,
      template: "chatml",
    },
    lora: { rank: 8, alpha: 16, dropout: 0.05, targets: ["q", "v"], quantization: "none" },
    training: { steps: 200, lr: 0.002, seed: 1, warmupSteps: 10 },
    metrics: { evalLoss: 0.12, perplexity: 1.13, exactMatchBefore: 0, exactMatchAfter: 0.95 },
    files: { adapterGguf: fileRef("adapter.gguf", files.gguf), peftAdapterModel: fileRef("peft/adapter_model.safetensors", files.st), peftAdapterConfig: fileRef("peft/adapter_config.json", files.cfg) },
    software: { lineage: "0.1.0", node: "v20" },
  };
}

describe("training manifest", () => {
  it("serialises as RFC 8785 canonical JSON: sorted keys, ES number form, no whitespace; digest independent of key order", () => {
    const m = manifest();
    const text = new TextDecoder().decode(canonicalManifestBytes(m));
    expect(text.startsWith('{"base":{"config":{"contextLength":128,"dim":64,')).toBe(true);
    expect(text).toContain('"rmsNormEps":0.00001');
    expect(text).not.toMatch(/\s"|":\s/);
    const reordered = Object.fromEntries(Object.entries(m).reverse()) as TrainingManifest;
    expect(manifestDigest(reordered)).toBe(manifestDigest(m));
    expect(manifestDigest(m)).toBe(sha256Hex(canonicalManifestBytes(m)));
    const changed = { ...m, metrics: { ...m.metrics, exactMatchAfter: 0.94 } };
    expect(manifestDigest(changed)).not.toBe(manifestDigest(m));
  });

  it("writes the canonical bytes, reads them back, and checks the listed files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "manifest-"));
    const m = manifest();
    const digest = await writeManifest(join(dir, "manifest.json"), m);
    const back = await readManifest(join(dir, "manifest.json"));
    expect(back.digest).toBe(digest);
    expect(back.manifest).toEqual(m);
    await writeFile(join(dir, "adapter.gguf"), files.gguf);
    await writeFile(join(dir, "peft"), "").catch(() => undefined);
    await expect(verifyManifestFiles(m, dir)).rejects.toThrow(/missing/);
  });

  it("detects a tampered listed file and refuses non-canonical or invalid manifests", async () => {
    const dir = await mkdtemp(join(tmpdir(), "manifest-"));
    const m = { ...manifest(), files: { adapterGguf: fileRef("a.gguf", files.gguf), peftAdapterModel: fileRef("b.st", files.st), peftAdapterConfig: fileRef("c.json", files.cfg) } };
    await writeFile(join(dir, "a.gguf"), files.gguf);
    await writeFile(join(dir, "b.st"), files.st);
    await writeFile(join(dir, "c.json"), files.cfg);
    await verifyManifestFiles(m, dir);
    await writeFile(join(dir, "b.st"), "tampered");
    await expect(verifyManifestFiles(m, dir)).rejects.toThrow(/b.st fails its digest/);
    await writeFile(join(dir, "pretty.json"), JSON.stringify(m, null, 2));
    await expect(readManifest(join(dir, "pretty.json"))).rejects.toThrow(/canonical form/);
    expect(() => manifestDigest({ ...m, metrics: { loss: Number.NaN } })).toThrow(ManifestError);
    expect(() => manifestDigest({ ...m, data: { ...m.data, root: undefined } })).toThrow(/needs datanetId, versionId, root/);
    expect(() => manifestDigest({ ...m, extra: 1 } as unknown as TrainingManifest)).toThrow(ManifestError);
  });
});

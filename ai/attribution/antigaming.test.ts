// SPDX-License-Identifier: MIT
/**
 * Quality governance and anti-gaming on the span method with the shipped tokenizer: duplicates and near-duplicates
 * do not earn twice, random/spam contributions earn ~0, splitting one contribution into many does not raise a
 * contributor's share; records come out canonical and deterministic.
 */
import { describe, expect, it } from "vitest";
import { baseAvailable, loadBase } from "../base/index.ts";
import { sotuTexts } from "../base/corpus.ts";
import { Rng } from "../model/sampling.ts";
import { attributeExchange, DEFAULT_POLICY, type ModelContext } from "./attribute.ts";
import { attributeBatch, inSample, sampleRateFor, sampleReceipts } from "./batch.ts";
import type { AttributionCorpus, CorpusContribution } from "./corpus.ts";
import { assessQuality, qualityDocument } from "./quality/index.ts";
import { recordBytes } from "./record.ts";
import { buildSpanIndex } from "./spans/build.ts";

const H = (c: string) => `0x${c.repeat(64)}` as `0x${string}`;

/** ~600-character passages of real text (sentences grouped), from the State of the Union corpus. */
function paragraphs(): string[] {
  const out: string[] = [];
  for (const t of sotuTexts().slice(0, 4)) {
    let cur = "";
    for (const sentence of t.replace(/\s+/g, " ").split(/(?<=\.) /)) {
      cur = cur ? `${cur} ${sentence}` : sentence;
      if (cur.length >= 600) {
        out.push(cur);
        cur = "";
      }
    }
  }
  return out.slice(0, 40);
}

function randomJunk(rng: Rng, n: number): string {
  const a = "qxzjkvbpwy0123456789";
  return Array.from({ length: n }, () => a[rng.int(a.length)]).join("");
}

function contextFor(corpus: AttributionCorpus, tok: ReturnType<typeof loadBase>["tokenizer"], withQuality = true): ModelContext {
  const suspicions = withQuality ? assessQuality(corpus, tok) : [];
  const quality = qualityDocument({ modelId: 1n, adapterDigest: H("a"), corpus, suspicions });
  return { modelId: 1n, adapterDigest: H("a"), corpus, quality, tokenizer: tok, method: "spans", spanIndex: buildSpanIndex(corpus, tok), policy: DEFAULT_POLICY };
}

const corpusOf = (contributions: CorpusContribution[]): AttributionCorpus => ({ datanetId: 1n, versionId: 1n, root: H("b"), contributions });
const rec = (text: string) => ({ prompt: "Tell me about it.", response: text });

describe.skipIf(!baseAvailable())("anti-gaming and quality (spans method)", () => {
  const { tokenizer: tok } = loadBase();
  const paras = paragraphs();

  it("duplicates and near-duplicates do not earn twice; the original keeps its earnings", () => {
    const orig = paras[0]!;
    const near = orig.replace(/\bthe\b/, "a"); // one word changed
    const contributions = paras.slice(1, 20).map((p, i) => ({ contributionId: BigInt(10 + i), records: [rec(p)] }));
    contributions.push({ contributionId: 5n, records: [rec(orig)] }, { contributionId: 50n, records: [rec(orig)] }, { contributionId: 51n, records: [rec(near)] });
    const corpus = corpusOf(contributions);
    const ctx = contextFor(corpus, tok);
    const flagged = ctx.quality.flagged.map((f) => [f.contributionId, f.reason, f.of]);
    expect(flagged).toEqual([
      ["50", "near-duplicate", "5"],
      ["51", "near-duplicate", "5"],
    ]);
    const out = orig.slice(0, 600);
    const r = attributeExchange(ctx, { receipt: H("c"), prompt: "Tell me.", response: out });
    expect(r.shares).toEqual([{ contributionId: "5", ppm: 1_000_000 }]);
    // without the quality document the exact copy would have taken half
    const bare = attributeExchange(contextFor(corpus, tok, false), { receipt: H("c"), prompt: "Tell me.", response: out });
    expect(bare.shares).toEqual([{ contributionId: "5", ppm: 500_000 }, { contributionId: "50", ppm: 500_000 }]);
  });

  it("random and spam contributions earn ~0 and are flagged as spam", () => {
    const rng = new Rng(4);
    const contributions = paras.slice(0, 20).map((p, i) => ({ contributionId: BigInt(i + 1), records: [rec(p)] }));
    for (let i = 0; i < 20; i++) contributions.push({ contributionId: BigInt(100 + i), records: [rec(randomJunk(rng, 400))] });
    const ctx = contextFor(corpusOf(contributions), tok);
    expect(ctx.quality.flagged.filter((f) => f.reason === "spam").map((f) => Number(f.contributionId))).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    let spamPpm = 0;
    let total = 0;
    for (let k = 0; k < 10; k++) {
      // outputs: a stretch of a real paragraph with junk around it
      const p = paras[k]!;
      const r = attributeExchange(ctx, { receipt: H("d"), prompt: "q", response: `${randomJunk(rng, 30)} ${p.slice(50, 400)} ${randomJunk(rng, 30)}` });
      for (const s of r.shares) {
        total += s.ppm;
        if (BigInt(s.contributionId) >= 100n) spamPpm += s.ppm;
      }
    }
    expect(total).toBe(10 * 1_000_000);
    expect(spamPpm).toBe(0);
  });

  it("splitting one contribution into many does not raise its contributor's share", () => {
    const mine = paras.slice(0, 4);
    const others = paras.slice(4, 24).map((p, i) => ({ contributionId: BigInt(100 + i), records: [rec(p)] }));
    const whole = corpusOf([{ contributionId: 1n, records: mine.map(rec) }, ...others]);
    const split = corpusOf([...mine.map((p, i) => ({ contributionId: BigInt(1 + i), records: [rec(p)] })), ...others]);
    const a = contextFor(whole, tok);
    const b = contextFor(split, tok);
    const rng = new Rng(8);
    for (let k = 0; k < 6; k++) {
      const response = `${mine[k % 4]!.slice(0, 250)} ${paras[4 + k]!.slice(0, 250)} ${paras[10 + k]!.slice(100, 300)}`;
      void rng;
      const ra = attributeExchange(a, { receipt: H("e"), prompt: "q", response });
      const rb = attributeExchange(b, { receipt: H("e"), prompt: "q", response });
      const mineA = ra.shares.filter((s) => BigInt(s.contributionId) < 100n).reduce((x, s) => x + s.ppm, 0);
      const mineB = rb.shares.filter((s) => BigInt(s.contributionId) < 100n).reduce((x, s) => x + s.ppm, 0);
      expect(mineA).toBeGreaterThan(0);
      expect(Math.abs(mineB - mineA)).toBeLessThanOrEqual(4); // ppm rounding only
    }
  });

  it("batch attribution: input order, identical exchanges once, canonical bytes, seeded sample", async () => {
    const corpus = corpusOf(paras.slice(0, 10).map((p, i) => ({ contributionId: BigInt(i + 1), records: [rec(p)] })));
    const ctx = contextFor(corpus, tok);
    const jobs = Array.from({ length: 12 }, (_, i) => ({
      receipt: `0x${(i + 1).toString(16).padStart(64, "0")}` as `0x${string}`,
      modelId: 1n,
      exchange: i % 2 ? { prompt: "q", response: paras[i % 10]!.slice(0, 300) } : async () => ({ prompt: "q", response: paras[(i + 3) % 10]!.slice(0, 300) }),
    }));
    const { records, bytes } = await attributeBatch(new Map([[1n, ctx]]), jobs, { concurrency: 3 });
    expect(records.map((r) => r.receipt)).toEqual(jobs.map((j) => j.receipt));
    const again = await attributeBatch(new Map([[1n, ctx]]), [...jobs].reverse(), { concurrency: 1 });
    expect(again.bytes.map((b) => Buffer.from(b).toString("hex")).reverse()).toEqual(bytes.map((b) => Buffer.from(b).toString("hex")));
    expect(Buffer.from(recordBytes(records[0]!))).toEqual(Buffer.from(bytes[0]!));
    // sampling: deterministic in the seed, rate honoured within a few percent on 2,000 receipts
    const many = Array.from({ length: 2000 }, (_, i) => ({ receipt: `0x${(i + 7).toString(16).padStart(64, "0")}` as `0x${string}` }));
    const s1 = sampleReceipts(many, H("9"), 0.25);
    expect(sampleReceipts(many, H("9"), 0.25)).toEqual(s1);
    expect(Math.abs(s1.length / 2000 - 0.25)).toBeLessThan(0.04);
    expect(inSample(H("9"), many[0]!.receipt, 1)).toBe(true);
    expect(inSample(H("9"), many[0]!.receipt, 0)).toBe(false);
    expect(sampleRateFor(1_000_000, 3600, 100)).toBeCloseTo(0.36);
  });
});

// SPDX-License-Identifier: MIT
/**
 * Span attribution benchmark: a >= 16M-token corpus (the real texts the tiny base was trained on, tokenized with the
 * shipped tokenizer, as contributions of ~2,000 tokens, filled up with text sampled from a token bigram model of
 * that stream), suffix-array build (wall and CPU time, bytes per token), and 450-token responses with planted
 * verbatim spans (8-40 tokens) of known contributions: latency, recall and precision of spans and sources.
 *   npx tsx bench/attribution/spans.ts [--tokens 16000000] [--responses 30]
 */
import { loadBase } from "../../ai/base/index.ts";
import { sotuTexts, wordnetGlosses } from "../../ai/base/corpus.ts";
import { SpanIndex } from "../../ai/attribution/spans/index.ts";
import { Rng } from "../../ai/model/sampling.ts";
import { cpuMs, load, arg } from "./util.ts";

const target = Number(arg("tokens", "16000000"));
const nResp = Number(arg("responses", "30"));
const tok = loadBase().tokenizer;
const V = tok.vocabSize;
const t0 = performance.now();
const real: number[] = [];
for (const t of sotuTexts()) for (const id of tok.encode(t)) real.push(id);
const glosses = wordnetGlosses();
for (let i = 0; i < glosses.length && real.length < target; i += 1) for (const id of tok.encode(`${glosses[i]}\n`)) real.push(id);
const tokenizeMs = performance.now() - t0;
const realCount = Math.min(real.length, target);
// bigram sampler over the real stream
const next = new Map<number, number[]>();
for (let i = 0; i + 1 < realCount; i++) {
  let l = next.get(real[i]!);
  if (!l) next.set(real[i]!, (l = []));
  l.push(real[i + 1]!);
}
const rng = new Rng(1);
const docs: { contributionId: bigint; sequences: number[][] }[] = [];
const DOC = 2000;
for (let p = 0; p < realCount; p += DOC) docs.push({ contributionId: BigInt(docs.length + 1), sequences: [real.slice(p, Math.min(p + DOC, realCount))] });
let total = realCount;
let cur = real[0]!;
const sample = (n: number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = next.get(cur);
    cur = l ? l[rng.int(l.length)]! : real[rng.int(realCount)]!;
    out.push(cur);
  }
  return out;
};
while (total < target) {
  const n = Math.min(DOC, target - total);
  docs.push({ contributionId: BigInt(docs.length + 1), sequences: [sample(n)] });
  total += n;
}
const c0 = cpuMs();
const w0 = performance.now();
const index = SpanIndex.build(docs, V);
const buildWall = performance.now() - w0;
const buildCpu = cpuMs() - c0;
const loadAtBuild = load();
// responses: bigram filler with 3 planted spans from real contributions
let planted = 0;
let foundSpans = 0;
let foundSources = 0;
let reportedSpans = 0;
let reportedOnPlanted = 0;
let sharePlanted = 0;
let shareTotal = 0;
const lat: number[] = [];
const realDocs = Math.ceil(realCount / DOC);
for (let r = 0; r < nResp; r++) {
  const out: number[] = [];
  const plants: { start: number; end: number; id: bigint }[] = [];
  while (out.length < 450) {
    out.push(...sample(60 + rng.int(60)));
    if (plants.length < 3 && out.length < 380) {
      const d = docs[rng.int(realDocs)]!;
      const seq = d.sequences[0]!;
      const L = 8 + rng.int(33);
      const s = rng.int(seq.length - L);
      plants.push({ start: out.length, end: out.length + L, id: d.contributionId });
      out.push(...seq.slice(s, s + L));
    }
  }
  out.length = 450;
  const q0 = performance.now();
  const a = index.attribute(out, { minLength: 8 });
  lat.push(performance.now() - q0);
  for (const p of plants.filter((x) => x.end <= 450)) {
    planted++;
    const hit = a.spans.filter((s) => s.start <= p.start && s.end >= p.end);
    if (hit.length) foundSpans++;
    if (hit.some((s) => s.contributions.includes(p.id))) foundSources++;
  }
  for (const s of a.spans) {
    if (s.end - s.start < 8) continue;
    reportedSpans++;
    if (plants.some((p) => s.start < p.end && s.end > p.start)) reportedOnPlanted++;
  }
  const ids = new Set(plants.map((p) => p.id));
  for (const s of a.scores) {
    shareTotal += s.score;
    if (ids.has(s.contributionId)) sharePlanted += s.score;
  }
}
lat.sort((x, y) => x - y);
console.log(
  JSON.stringify(
    {
      corpusTokens: index.length,
      realTokens: realCount,
      contributions: docs.length,
      tokenizeMs: Math.round(tokenizeMs),
      build: { wallMs: Math.round(buildWall), cpuMs: Math.round(buildCpu), tokensPerSecWall: Math.round(index.length / (buildWall / 1000)), tokensPerCpuSec: Math.round(index.length / (buildCpu / 1000)), load: loadAtBuild },
      bytesPerToken: +(index.byteLength / index.length).toFixed(3),
      query450: { p50Ms: +lat[lat.length >> 1]!.toFixed(2), maxMs: +lat[lat.length - 1]!.toFixed(2), responses: nResp, load: load() },
      planted: { spans: planted, spanRecall: foundSpans / planted, sourceRecall: foundSources / planted },
      precision: { spansOverlappingPlanted: reportedOnPlanted / Math.max(reportedSpans, 1), reportedSpans, scoreOnPlantedSources: sharePlanted / Math.max(shareTotal, 1e-30) },
    },
    null,
    1,
  ),
);

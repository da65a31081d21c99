// SPDX-License-Identifier: MIT
import { describe, expect, it } from "vitest";
import { ByteBpeTokenizer, TokenizerError, TokenType, bytesToUnicode } from "./index.ts";

const corpus = [
  "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.",
  "Lineage pays contributors of data. Datanets hold data, models learn from data.",
  "Numbers 12345 and 2026, punctuation!? — and unicode: café, naïve, 東京, 🙂.",
].join("\n").repeat(20);

/** Deterministic pseudo-random valid UTF-8 strings drawn from many Unicode planes. */
function randomText(seed: number, len: number): string {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const ranges: [number, number][] = [[0x20, 0x7e], [0x0, 0x1f], [0xa0, 0x24f], [0x370, 0x3ff], [0x4e00, 0x9fff], [0x1f300, 0x1faff], [0xe000, 0xf8ff], [0x10000, 0x10ffff]];
  let out = "";
  for (let i = 0; i < len; i++) {
    const [lo, hi] = ranges[Math.floor(rnd() * ranges.length)]!;
    let cp = lo + Math.floor(rnd() * (hi - lo + 1));
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41; // surrogates are not scalar values
    out += String.fromCodePoint(cp);
  }
  return out;
}

describe("ByteBpeTokenizer", () => {
  const tok = ByteBpeTokenizer.train(corpus, { vocabSize: 400 });

  it("trains merges up to the vocab size and compresses the corpus", () => {
    expect(tok.vocabSize).toBeLessThanOrEqual(400);
    expect(tok.vocabSize).toBeGreaterThan(300);
    const text = "The quick brown fox jumps over the lazy dog.";
    expect(tok.encode(text).length).toBeLessThan(new TextEncoder().encode(text).length / 2);
  });

  it("round-trips arbitrary UTF-8 losslessly", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const t = randomText(seed, 1 + (seed * 7) % 200);
      expect(tok.decode(tok.encode(t))).toBe(t);
    }
    for (const t of ["", " ", "\n\n\t ", "a  b   c", "<s></s><pad>", "'s'll'd", "\u0000\u0001"]) expect(tok.decode(tok.encode(t))).toBe(t);
  });

  it("treats special-token text as plain text and adds specials on request", () => {
    const ids = tok.encode("<s>", { bos: true, eos: true });
    expect(ids[0]).toBe(tok.bosId);
    expect(ids.at(-1)).toBe(tok.eosId);
    expect(ids.slice(1, -1)).not.toContain(tok.bosId);
  });

  it("is deterministic", () => {
    const again = ByteBpeTokenizer.train(corpus, { vocabSize: 400 });
    expect(again.merges()).toEqual(tok.merges());
    expect(again.tokens()).toEqual(tok.tokens());
  });

  it("exposes GGUF gpt2 metadata consistent with the vocabulary", () => {
    const g = tok.ggufMetadata();
    expect(g.tokens.slice(0, 256)).toEqual(bytesToUnicode());
    expect(g.tokenTypes[tok.bosId]).toBe(TokenType.CONTROL);
    expect(g.tokenTypes[300]).toBe(TokenType.NORMAL);
    for (const m of g.merges) {
      const [a, b] = m.split(" ");
      expect(g.tokens).toContain(a! + b!);
    }
  });

  it("round-trips through JSON, vocab/merges and Hugging Face tokenizer.json", () => {
    const text = randomText(99, 300) + " The lazy dog.";
    const viaJson = ByteBpeTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    const viaHf = ByteBpeTokenizer.fromHuggingFaceTokenizerJson(JSON.parse(JSON.stringify(tok.toHuggingFaceTokenizerJson())));
    const viaVm = ByteBpeTokenizer.fromVocabMerges(tok.tokens(), tok.merges(), { bos: tok.bosId, eos: tok.eosId, pad: tok.padId });
    for (const t of [viaJson, viaHf, viaVm]) {
      expect(t.encode(text)).toEqual(tok.encode(text));
      expect(t.bosId).toBe(tok.bosId);
    }
  });

  it("rejects bad input clearly", () => {
    expect(() => ByteBpeTokenizer.train("abc", { vocabSize: 10 })).toThrow(TokenizerError);
    expect(() => tok.decode([tok.vocabSize])).toThrow(/out of range/);
    expect(() => ByteBpeTokenizer.fromVocabMerges(["a"], [], { bos: 0, eos: 0, pad: 0 })).toThrow(/byte token/);
    const t = tok.tokens();
    expect(() => ByteBpeTokenizer.fromVocabMerges(t, ["x"], { bos: tok.bosId, eos: tok.eosId, pad: tok.padId })).toThrow(/bad merge/);
    expect(() => ByteBpeTokenizer.fromJSON({} as never)).toThrow(TokenizerError);
  });
});

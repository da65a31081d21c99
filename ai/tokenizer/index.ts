// SPDX-License-Identifier: MIT
/**
 * Byte-level BPE tokenizer (GPT-2 style): trainable on a corpus, lossless on any UTF-8 text (every byte has a
 * token), exportable as GGUF `gpt2` tokenizer metadata (tokens, token types, merges) and as a Hugging Face
 * `tokenizer.json`.
 *
 * Token ids: 0..255 are the single bytes (in byte order), then one token per merge (in merge order; a merge whose
 * result already exists reuses that token), then the special tokens `<s>` (bos), `</s>` (eos), `<pad>`.
 * Token strings use GPT-2's byte-to-unicode map, exactly as GGUF `gpt2` and Hugging Face ByteLevel store them.
 */

/** GGUF `tokenizer.ggml.token_type` values (llama.cpp `llama_token_type`). */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** GPT-2's pre-tokenizer pattern (llama.cpp `tokenizer.ggml.pre = "gpt-2"`). */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export const SPECIAL_TOKENS = { bos: "<s>", eos: "</s>", pad: "<pad>" } as const;

export class TokenizerError extends Error {
  constructor(message: string) {
    super(`tokenizer: ${message}`);
    this.name = "TokenizerError";
  }
}

/** GPT-2's reversible byte -> printable unicode character map. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const out = new Array<string>(256);
  for (let i = 0; i < bs.length; i++) out[bs[i]!] = String.fromCharCode(cs[i]!);
  return out;
}
const BYTE_TO_UNI = bytesToUnicode();
const UNI_TO_BYTE = new Map<string, number>(BYTE_TO_UNI.map((c, b) => [c, b]));

const utf8 = new TextEncoder();
const utf8dec = new TextDecoder("utf-8", { fatal: false });

function bytesToTokenString(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += BYTE_TO_UNI[b];
  return s;
}

export interface TrainOptions {
  /** Total vocabulary size including the 256 byte tokens and the 3 special tokens. */
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged (default 2). */
  minFrequency?: number;
}

export interface EncodeOptions {
  bos?: boolean;
  eos?: boolean;
}

/** Serialisable form (also what `fromJSON` accepts). */
export interface TokenizerJSON {
  kind: "lineage-byte-bpe";
  tokens: string[];
  merges: string[];
  specials: { bos: number; eos: number; pad: number };
}

export class ByteBpeTokenizer {
  readonly #tokens: string[];
  readonly #merges: string[];
  readonly #ids: Map<string, number>;
  readonly #ranks: Map<string, number>;
  readonly #cache = new Map<string, number[]>();
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;

  private constructor(tokens: string[], merges: string[], specials: { bos: number; eos: number; pad: number }) {
    this.#tokens = tokens;
    this.#merges = merges;
    this.#ids = new Map();
    tokens.forEach((t, i) => {
      if (this.#ids.has(t)) throw new TokenizerError(`duplicate token ${JSON.stringify(t)} at ids ${this.#ids.get(t)} and ${i}`);
      this.#ids.set(t, i);
    });
    for (let b = 0; b < 256; b++) {
      if (!this.#ids.has(BYTE_TO_UNI[b]!)) throw new TokenizerError(`byte token for 0x${b.toString(16)} missing: not lossless`);
    }
    this.#ranks = new Map();
    merges.forEach((m, r) => {
      const parts = m.split(" ");
      if (parts.length !== 2 || !parts[0] || !parts[1]) throw new TokenizerError(`bad merge ${JSON.stringify(m)} at rank ${r}`);
      if (!this.#ids.has(parts[0] + parts[1])) throw new TokenizerError(`merge ${JSON.stringify(m)} produces no token`);
      if (!this.#ranks.has(m)) this.#ranks.set(m, r);
    });
    for (const [name, id] of Object.entries(specials)) {
      if (!Number.isInteger(id) || id < 0 || id >= tokens.length) throw new TokenizerError(`special ${name} id ${id} out of range`);
    }
    this.bosId = specials.bos;
    this.eosId = specials.eos;
    this.padId = specials.pad;
  }

  /** Build from a vocabulary (token strings by id) and merges ("a b" in byte-unicode form). */
  static fromVocabMerges(tokens: readonly string[], merges: readonly string[], specials: { bos: number; eos: number; pad: number }): ByteBpeTokenizer {
    return new ByteBpeTokenizer([...tokens], [...merges], { ...specials });
  }

  static fromJSON(json: TokenizerJSON): ByteBpeTokenizer {
    if (json?.kind !== "lineage-byte-bpe") throw new TokenizerError("not a lineage-byte-bpe tokenizer JSON");
    return ByteBpeTokenizer.fromVocabMerges(json.tokens, json.merges, json.specials);
  }

  /** Read a Hugging Face `tokenizer.json` (BPE model with ByteLevel pre-tokenizer) as written by `toHuggingFaceTokenizerJson`. */
  static fromHuggingFaceTokenizerJson(hf: unknown): ByteBpeTokenizer {
    const h = hf as { model?: { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[] }; added_tokens?: { id: number; content: string }[] };
    if (h?.model?.type !== "BPE" || !h.model.vocab || !h.model.merges) throw new TokenizerError("tokenizer.json: not a BPE model");
    const tokens: string[] = [];
    for (const [t, id] of Object.entries(h.model.vocab)) tokens[id] = t;
    for (const a of h.added_tokens ?? []) tokens[a.id] = a.content;
    for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) throw new TokenizerError(`tokenizer.json: id ${i} missing`);
    const merges = h.model.merges.map((m) => (Array.isArray(m) ? `${m[0]} ${m[1]}` : m));
    const find = (s: string) => {
      const i = tokens.indexOf(s);
      if (i < 0) throw new TokenizerError(`tokenizer.json: special token ${s} missing`);
      return i;
    };
    return new ByteBpeTokenizer(tokens, merges, { bos: find(SPECIAL_TOKENS.bos), eos: find(SPECIAL_TOKENS.eos), pad: find(SPECIAL_TOKENS.pad) });
  }

  /** Train a byte-level BPE on `corpus` (deterministic for the same input). */
  static train(corpus: string | readonly string[], opts: TrainOptions): ByteBpeTokenizer {
    const nSpecial = 3;
    if (!Number.isInteger(opts.vocabSize) || opts.vocabSize < 256 + nSpecial) {
      throw new TokenizerError(`vocabSize must be an integer >= ${256 + nSpecial}, got ${opts.vocabSize}`);
    }
    const minFreq = opts.minFrequency ?? 2;
    const texts = typeof corpus === "string" ? [corpus] : corpus;
    // 1. word frequencies (pre-tokenized chunks)
    const freq = new Map<string, number>();
    for (const text of texts) {
      for (const m of text.matchAll(GPT2_SPLIT)) freq.set(m[0], (freq.get(m[0]) ?? 0) + 1);
    }
    const tokens: string[] = [...BYTE_TO_UNI];
    const ids = new Map<string, number>(tokens.map((t, i) => [t, i]));
    const words: number[][] = [];
    const counts: number[] = [];
    for (const [w, c] of freq) {
      words.push([...utf8.encode(w)]);
      counts.push(c);
    }
    // 2. pair statistics
    const KEY = 1 << 16;
    const pairCount = new Map<number, number>();
    const pairWords = new Map<number, Set<number>>();
    const addPairs = (wi: number, sign: number) => {
      const w = words[wi]!;
      const c = counts[wi]! * sign;
      for (let i = 0; i + 1 < w.length; i++) {
        const k = w[i]! * KEY + w[i + 1]!;
        pairCount.set(k, (pairCount.get(k) ?? 0) + c);
        if (sign > 0) {
          let s = pairWords.get(k);
          if (!s) pairWords.set(k, (s = new Set()));
          s.add(wi);
        }
      }
    };
    for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1);
    const merges: string[] = [];
    const target = opts.vocabSize - nSpecial;
    while (tokens.length < target) {
      let best = -1;
      let bestCount = 0;
      for (const [k, c] of pairCount) {
        if (c > bestCount || (c === bestCount && c > 0 && k < best)) {
          best = k;
          bestCount = c;
        }
      }
      if (best < 0 || bestCount < minFreq) break;
      const a = Math.floor(best / KEY);
      const b = best % KEY;
      const merged = tokens[a]! + tokens[b]!;
      let id = ids.get(merged);
      if (id === undefined) {
        id = tokens.length;
        tokens.push(merged);
        ids.set(merged, id);
      }
      merges.push(`${tokens[a]} ${tokens[b]}`);
      const affected = [...(pairWords.get(best) ?? [])];
      for (const wi of affected) {
        addPairs(wi, -1);
        const w = words[wi]!;
        const nw: number[] = [];
        for (let i = 0; i < w.length; i++) {
          if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
            nw.push(id);
            i++;
          } else nw.push(w[i]!);
        }
        words[wi] = nw;
        addPairs(wi, 1);
      }
      pairCount.delete(best);
      pairWords.delete(best);
    }
    const bos = tokens.length;
    tokens.push(SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, SPECIAL_TOKENS.pad);
    return new ByteBpeTokenizer(tokens, merges, { bos, eos: bos + 1, pad: bos + 2 });
  }

  get vocabSize(): number {
    return this.#tokens.length;
  }

  /** Encode one pre-tokenized chunk's bytes with the merge ranks. */
  #encodeChunk(chunk: string): number[] {
    const hit = this.#cache.get(chunk);
    if (hit) return hit;
    let sym = [...utf8.encode(chunk)].map((b) => BYTE_TO_UNI[b]!);
    while (sym.length > 1) {
      let bestRank = Infinity;
      let bestI = -1;
      for (let i = 0; i + 1 < sym.length; i++) {
        const r = this.#ranks.get(`${sym[i]} ${sym[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestI = i;
        }
      }
      if (bestI < 0) break;
      const a = sym[bestI]!;
      const b = sym[bestI + 1]!;
      const next: string[] = [];
      for (let i = 0; i < sym.length; i++) {
        if (i + 1 < sym.length && sym[i] === a && sym[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(sym[i]!);
      }
      sym = next;
    }
    const out = sym.map((s) => this.#ids.get(s)!);
    if (this.#cache.size < 100_000) this.#cache.set(chunk, out);
    return out;
  }

  /** Text -> token ids. Special-token strings in `text` are encoded as plain text (no injection). */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    if (typeof text !== "string") throw new TokenizerError("encode expects a string");
    const out: number[] = [];
    if (opts.bos) out.push(this.bosId);
    for (const m of text.matchAll(GPT2_SPLIT)) for (const id of this.#encodeChunk(m[0])) out.push(id);
    if (opts.eos) out.push(this.eosId);
    return out;
  }

  /** Token ids -> raw bytes (special tokens are skipped). */
  decodeBytes(ids: readonly number[]): Uint8Array {
    const bytes: number[] = [];
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.#tokens.length) throw new TokenizerError(`token id ${id} out of range`);
      if (id === this.bosId || id === this.eosId || id === this.padId) continue;
      for (const ch of this.#tokens[id]!) bytes.push(UNI_TO_BYTE.get(ch)!);
    }
    return Uint8Array.from(bytes);
  }

  /** Token ids -> text (special tokens are skipped). */
  decode(ids: readonly number[]): string {
    return utf8dec.decode(this.decodeBytes(ids));
  }

  /** Token strings by id (byte-to-unicode form; GGUF `tokenizer.ggml.tokens`). */
  tokens(): string[] {
    return [...this.#tokens];
  }

  /** GGUF `tokenizer.ggml.token_type` per id. */
  tokenTypes(): number[] {
    return this.#tokens.map((_, i) => (i === this.bosId || i === this.eosId || i === this.padId ? TokenType.CONTROL : TokenType.NORMAL));
  }

  /** Merges as "a b" strings in rank order (GGUF `tokenizer.ggml.merges`). */
  merges(): string[] {
    return [...this.#merges];
  }

  /** The data a GGUF writer needs for a `gpt2` tokenizer (keys named after the GGUF metadata). */
  ggufMetadata(): {
    model: "gpt2";
    pre: "gpt-2";
    tokens: string[];
    tokenTypes: number[];
    merges: string[];
    bosId: number;
    eosId: number;
    padId: number;
  } {
    return { model: "gpt2", pre: "gpt-2", tokens: this.tokens(), tokenTypes: this.tokenTypes(), merges: this.merges(), bosId: this.bosId, eosId: this.eosId, padId: this.padId };
  }

  toJSON(): TokenizerJSON {
    return { kind: "lineage-byte-bpe", tokens: this.tokens(), merges: this.merges(), specials: { bos: this.bosId, eos: this.eosId, pad: this.padId } };
  }

  /** A Hugging Face `tokenizer.json` object (BPE model, ByteLevel pre-tokenizer and decoder). */
  toHuggingFaceTokenizerJson(): Record<string, unknown> {
    const vocab: Record<string, number> = {};
    const specials = new Set([this.bosId, this.eosId, this.padId]);
    this.#tokens.forEach((t, i) => {
      if (!specials.has(i)) vocab[t] = i;
    });
    return {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: [...specials].map((id) => ({ id, content: this.#tokens[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null,
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: {
        type: "BPE",
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab,
        merges: [...this.#merges],
      },
    };
  }
}

/** Token string for raw bytes (exported for the formats' tests). */
export function tokenStringOfBytes(bytes: Uint8Array): string {
  return bytesToTokenString(bytes);
}

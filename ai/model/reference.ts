// SPDX-License-Identifier: MIT
/**
 * A plain-JavaScript reference forward pass (scalar loops, float64 accumulation) written straight from llama.cpp's
 * definitions, independent of tfjs. Used to test the tfjs model and as the plain-JS baseline of the benchmarks.
 */
import type { LlamaConfig, TensorMap } from "../tensors/index.ts";

/** Logits [T, vocab] for `tokens` with weights in GGUF layout. */
export function referenceForward(c: LlamaConfig, w: TensorMap, tokens: readonly number[]): Float32Array {
  const get = (n: string) => {
    const t = w.get(n);
    if (!t) throw new Error(`reference: missing ${n}`);
    return t.data;
  };
  const T = tokens.length;
  const D = c.dim;
  const hd = D / c.nHeads;
  const kvd = hd * c.nKvHeads;
  const g = c.nHeads / c.nKvHeads;
  const emb = get("token_embd.weight");
  let h = new Float64Array(T * D);
  tokens.forEach((tok, t) => {
    for (let i = 0; i < D; i++) h[t * D + i] = emb[tok * D + i]!;
  });
  const rms = (x: Float64Array, wt: Float32Array) => {
    const o = new Float64Array(x.length);
    for (let t = 0; t < T; t++) {
      let ss = 0;
      for (let i = 0; i < D; i++) ss += x[t * D + i]! ** 2;
      const s = 1 / Math.sqrt(ss / D + c.rmsNormEps);
      for (let i = 0; i < D; i++) o[t * D + i] = x[t * D + i]! * s * wt[i]!;
    }
    return o;
  };
  // y[t, o] = sum_i x[t, i] W[o, i]
  const lin = (x: Float64Array, W: Float32Array, inn: number, out: number) => {
    const y = new Float64Array(T * out);
    for (let t = 0; t < T; t++)
      for (let o = 0; o < out; o++) {
        let s = 0;
        for (let i = 0; i < inn; i++) s += x[t * inn + i]! * W[o * inn + i]!;
        y[t * out + o] = s;
      }
    return y;
  };
  const rope = (x: Float64Array, nh: number) => {
    for (let t = 0; t < T; t++)
      for (let hh = 0; hh < nh; hh++)
        for (let i = 0; i < hd; i += 2) {
          const theta = t * Math.pow(c.ropeTheta, -i / hd);
          const o = t * nh * hd + hh * hd + i;
          const x0 = x[o]!;
          const x1 = x[o + 1]!;
          x[o] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
          x[o + 1] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
        }
  };
  for (let l = 0; l < c.nLayers; l++) {
    const p = `blk.${l}.`;
    const xn = rms(h, get(`${p}attn_norm.weight`));
    const q = lin(xn, get(`${p}attn_q.weight`), D, D);
    const k = lin(xn, get(`${p}attn_k.weight`), D, kvd);
    const v = lin(xn, get(`${p}attn_v.weight`), D, kvd);
    rope(q, c.nHeads);
    rope(k, c.nKvHeads);
    const att = new Float64Array(T * D);
    for (let hh = 0; hh < c.nHeads; hh++) {
      const kh = Math.floor(hh / g);
      for (let t = 0; t < T; t++) {
        const sc = new Float64Array(t + 1);
        let mx = -Infinity;
        for (let s = 0; s <= t; s++) {
          let d = 0;
          for (let i = 0; i < hd; i++) d += q[t * D + hh * hd + i]! * k[s * kvd + kh * hd + i]!;
          sc[s] = d / Math.sqrt(hd);
          mx = Math.max(mx, sc[s]!);
        }
        let z = 0;
        for (let s = 0; s <= t; s++) z += (sc[s] = Math.exp(sc[s]! - mx));
        for (let i = 0; i < hd; i++) {
          let acc = 0;
          for (let s = 0; s <= t; s++) acc += (sc[s]! / z) * v[s * kvd + kh * hd + i]!;
          att[t * D + hh * hd + i] = acc;
        }
      }
    }
    const o = lin(att, get(`${p}attn_output.weight`), D, D);
    for (let i = 0; i < h.length; i++) h[i]! += o[i]!;
    const xn2 = rms(h, get(`${p}ffn_norm.weight`));
    const gt = lin(xn2, get(`${p}ffn_gate.weight`), D, c.ffnDim);
    const up = lin(xn2, get(`${p}ffn_up.weight`), D, c.ffnDim);
    for (let i = 0; i < gt.length; i++) gt[i] = (gt[i]! / (1 + Math.exp(-gt[i]!))) * up[i]!;
    const dn = lin(gt, get(`${p}ffn_down.weight`), c.ffnDim, D);
    const hn = new Float64Array(h.length);
    for (let i = 0; i < h.length; i++) hn[i] = h[i]! + dn[i]!;
    h = hn;
  }
  const hf = rms(h, get("output_norm.weight"));
  const out = c.tiedEmbeddings ? emb : get("output.weight");
  return Float32Array.from(lin(hf, out, D, c.vocabSize));
}

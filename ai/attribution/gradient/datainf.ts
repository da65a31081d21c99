// SPDX-License-Identifier: MIT
/**
 * DataInf (Kwon et al., ICLR 2024): closed-form influence over LoRA gradients. The inverse Hessian of each layer l
 * (here: each adapted module) is replaced by the inverse of the damped empirical Fisher, approximated by swapping
 * the order of inversion and averaging (Sherman-Morrison per example):
 *
 *   (G_l + lambda_l I)^-1 ~ (1 / (n lambda_l)) sum_i ( I - g_il g_il^T / (lambda_l + ||g_il||^2) )
 *
 * so the helpfulness of training example k for a test gradient v is
 *
 *   h_k = sum_l (1 / lambda_l) [ v_l . g_kl - (1/n) sum_i c_il (g_il . g_kl) ],  c_il = (v_l . g_il) / (lambda_l + ||g_il||^2)
 *
 * computed in O(n d) per query by forming w_l = sum_i c_il g_il first. h_k > 0: up-weighting k lowers the test loss
 * (the negative of the paper's influence). lambda_l = damping x mean_i ||g_il||^2 / d_l (the paper's 0.1 x
 * (n d_l)^-1 sum_i ||g_il||^2 by default). Every sum runs in float64 in a fixed order (deterministic).
 */
import type { GradientLayout } from "./grads.ts";

export interface DataInfState {
  layout: GradientLayout;
  n: number;
  /** n x d per-example gradients (float32, row-major). */
  grads: Float32Array;
  /** n x L squared norms per layer. */
  norms2: Float64Array;
  /** Per-layer damping. */
  lambda: Float64Array;
}

export const DATAINF_DEFAULT_DAMPING = 0.1;

export function dataInfState(layout: GradientLayout, grads: Float32Array, damping = DATAINF_DEFAULT_DAMPING): DataInfState {
  const d = layout.dim;
  if (grads.length % d !== 0) throw new Error("datainf: gradient matrix size is not a multiple of the dimension");
  if (!(damping > 0)) throw new Error(`datainf: damping must be > 0, got ${damping}`);
  const n = grads.length / d;
  const L = layout.modules.length;
  const norms2 = new Float64Array(n * L);
  const lambda = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < L; l++) {
      let s = 0;
      for (let j = i * d + layout.offsets[l]!, e = i * d + layout.offsets[l + 1]!; j < e; j++) s += grads[j]! * grads[j]!;
      norms2[i * L + l] = s;
      lambda[l]! += s;
    }
  }
  for (let l = 0; l < L; l++) {
    const dl = layout.offsets[l + 1]! - layout.offsets[l]!;
    lambda[l] = Math.max((damping * lambda[l]!) / (n * dl), 1e-30);
  }
  return { layout, n, grads, norms2, lambda };
}

/** Helpfulness of every training example for the test gradient `v` (length n). */
export function dataInfScores(st: DataInfState, v: Float32Array): Float64Array {
  const { layout, n, grads, norms2, lambda } = st;
  const d = layout.dim;
  const L = layout.modules.length;
  if (v.length !== d) throw new Error(`datainf: test gradient has ${v.length} entries, expected ${d}`);
  // c_il = (v_l . g_il) / (lambda_l + ||g_il||^2), and the plain dots v_l . g_il
  const dots = new Float64Array(n * L);
  for (let i = 0; i < n; i++) {
    const base = i * d;
    for (let l = 0; l < L; l++) {
      let s = 0;
      for (let j = layout.offsets[l]!, e = layout.offsets[l + 1]!; j < e; j++) s += v[j]! * grads[base + j]!;
      dots[i * L + l] = s;
    }
  }
  // w_l = sum_i c_il g_il
  const w = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const base = i * d;
    for (let l = 0; l < L; l++) {
      const c = dots[i * L + l]! / (lambda[l]! + norms2[i * L + l]!);
      if (c === 0) continue;
      for (let j = layout.offsets[l]!, e = layout.offsets[l + 1]!; j < e; j++) w[j]! += c * grads[base + j]!;
    }
  }
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const base = k * d;
    let h = 0;
    for (let l = 0; l < L; l++) {
      let wg = 0;
      for (let j = layout.offsets[l]!, e = layout.offsets[l + 1]!; j < e; j++) wg += w[j]! * grads[base + j]!;
      h += (dots[k * L + l]! - wg / n) / lambda[l]!;
    }
    out[k] = h;
  }
  return out;
}

/**
 * Self-influence of every training example, sum_l ||g_kl||^2 / lambda_l: DataInf's damped inverse with the
 * rank-one correction dropped (TracIn's self-influence up to the per-layer damping). Large for records the model
 * finds surprising: mislabels. O(L) per example from the precomputed norms.
 */
export function dataInfSelfInfluence(st: DataInfState): Float64Array {
  const L = st.layout.modules.length;
  const out = new Float64Array(st.n);
  for (let k = 0; k < st.n; k++) {
    let s = 0;
    for (let l = 0; l < L; l++) s += st.norms2[k * L + l]! / st.lambda[l]!;
    out[k] = s;
  }
  return out;
}

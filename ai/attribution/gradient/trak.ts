// SPDX-License-Identifier: MIT
/**
 * A projected-gradient cross-check (TRAK / LoGra style): each per-example LoRA gradient is projected to k dimensions
 * by a seeded Rademacher matrix P (entries +-1/sqrt(k), a pure function of (seed, row, column)), features
 * phi_i = P^T g_i; with Phi the n x k feature matrix and K = Phi^T Phi + lambda I, the helpfulness of example i for a
 * test gradient v is  psi_i . (P^T v)  where  psi_i = K^-1 phi_i  is precomputed (the training-side cache). A query
 * then costs one backward pass, one projection and n dot products of length k. lambda = damping x trace(Phi^T Phi)/k.
 * Every sum runs in float64 in a fixed order.
 */
import { mixSeed } from "../../train/data.ts";

export interface TrakState {
  k: number;
  seed: number;
  n: number;
  dim: number;
  /** n x k features phi_i. */
  phi: Float32Array;
  /** n x k  psi_i = K^-1 phi_i. */
  psi: Float32Array;
}

export const TRAK_DEFAULT_K = 256;
export const TRAK_DEFAULT_DAMPING = 0.01;

/** The projection matrix, d x k row-major (signs from a counter-based hash of (seed, row, word)). */
export function projectionMatrix(dim: number, k: number, seed: number): Float32Array {
  if (!Number.isInteger(k) || k < 1 || k % 32 !== 0) throw new Error(`trak: k must be a positive multiple of 32, got ${k}`);
  const p = new Float32Array(dim * k);
  const s = 1 / Math.sqrt(k);
  for (let r = 0; r < dim; r++) {
    for (let w = 0; w < k / 32; w++) {
      const bits = mixSeed(seed, r, w);
      for (let b = 0; b < 32; b++) p[r * k + w * 32 + b] = (bits >>> b) & 1 ? s : -s;
    }
  }
  return p;
}

/** phi = P^T g (float64 accumulation, rows in order). */
export function project(p: Float32Array, k: number, g: Float32Array): Float64Array {
  const out = new Float64Array(k);
  const d = g.length;
  if (p.length !== d * k) throw new Error("trak: projection does not match the gradient dimension");
  for (let r = 0; r < d; r++) {
    const x = g[r]!;
    if (x === 0) continue;
    const o = r * k;
    for (let j = 0; j < k; j++) out[j]! += x * p[o + j]!;
  }
  return out;
}

/** Cholesky factor (lower) of a symmetric positive definite k x k matrix. */
function cholesky(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j]!;
      for (let m = 0; m < j; m++) s -= l[i * k + m]! * l[j * k + m]!;
      if (i === j) {
        if (!(s > 0)) throw new Error("trak: kernel is not positive definite (raise the damping)");
        l[i * k + i] = Math.sqrt(s);
      } else l[i * k + j] = s / l[j * k + j]!;
    }
  }
  return l;
}

function solve(l: Float64Array, k: number, b: Float64Array): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let m = 0; m < i; m++) s -= l[i * k + m]! * y[m]!;
    y[i] = s / l[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let m = i + 1; m < k; m++) s -= l[m * k + i]! * x[m]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}

/** The training-side state from the features of every training example. */
export function trakState(phi: Float32Array, n: number, k: number, seed: number, dim: number, damping = TRAK_DEFAULT_DAMPING): TrakState {
  if (phi.length !== n * k) throw new Error("trak: feature matrix size mismatch");
  const K = new Float64Array(k * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let a = 0; a < k; a++) {
      const x = phi[o + a]!;
      if (x === 0) continue;
      for (let b = 0; b <= a; b++) K[a * k + b]! += x * phi[o + b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < k; a++) trace += K[a * k + a]!;
  const lambda = Math.max((damping * trace) / k, 1e-30);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < a; b++) K[b * k + a] = K[a * k + b]!;
    K[a * k + a]! += lambda;
  }
  const L = cholesky(K, k);
  const psi = new Float32Array(n * k);
  for (let i = 0; i < n; i++) psi.set(solve(L, k, Float64Array.from(phi.subarray(i * k, (i + 1) * k))), i * k);
  return { k, seed, n, dim, phi, psi };
}

/** Helpfulness of every training example for the projected test gradient. */
export function trakScores(st: TrakState, phiTest: Float64Array): Float64Array {
  const { n, k, psi } = st;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += psi[i * k + j]! * phiTest[j]!;
    out[i] = s;
  }
  return out;
}

/** Self-influence phi_i . K^-1 phi_i of every training example (large for examples unlike the rest: mislabels). */
export function trakSelfInfluence(st: TrakState): Float64Array {
  const { n, k, psi, phi } = st;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += psi[i * k + j]! * phi[i * k + j]!;
    out[i] = s;
  }
  return out;
}

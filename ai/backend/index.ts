// SPDX-License-Identifier: MIT
/**
 * tfjs backend setup for the model engine.
 *
 * - `initBackend("wasm")` (default) loads the SIMD WebAssembly backend (single-threaded in Node) and patches two
 *   gaps measured on tfjs 4.22 (see TOOLCHAIN.md):
 *   1. `BatchMatMul` takes XNNPACK's fast path only for 2-D inputs without transpose flags. The wrapper below
 *      materialises transposes, folds ND x 2-D products into one 2-D product and loops batched products as 2-D
 *      products on fresh tensors (XNNPACK caches prepared weights by tensor id, so slices must be new tensors).
 *   2. `UnsortedSegmentSum` (the gradient of `gather`, i.e. of the embedding lookup) is missing: a small JS kernel.
 * - `initBackend("cpu")` selects tfjs's pure-JavaScript backend: the plain-JS baseline of the benchmarks.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export { tf };
export type BackendName = "wasm" | "cpu";

/** The slice of the wasm backend object the kernels below use (it is not exported with types). */
interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { id: number; shape: number[] } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}
type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];

let patched = false;
let original: KernelFn | undefined;

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Transpose the last two axes of `x` through the wasm Transpose kernel; returns a fresh tensor info. */
function transposeLast2(x: tf.TensorInfo, backend: WasmBackendLike): tf.TensorInfo {
  const k = tf.getKernel("Transpose", "wasm");
  if (!k) throw new Error("backend: wasm Transpose kernel missing");
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return k.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { perm } }) as tf.TensorInfo;
}

/** Copy rows [offset, offset+rows*cols) of `src` into a fresh [rows, cols] wasm tensor. */
function sliceFresh(src: tf.TensorInfo, offset: number, rows: number, cols: number, backend: WasmBackendLike): tf.TensorInfo {
  const out = backend.makeOutput([rows, cols], "float32");
  const outVals = backend.typedArrayFromHeap(out); // allocate first: allocation may move wasm memory
  const srcVals = backend.typedArrayFromHeap(src); // a view (readSync would copy the whole tensor)
  outVals.set(srcVals.subarray(offset, offset + rows * cols));
  return out;
}

function fastBatchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const orig = original!;
  let a = args.inputs.a as tf.TensorInfo;
  let b = args.inputs.b as tf.TensorInfo;
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  const temps: tf.TensorInfo[] = [];
  if (transposeA) {
    a = transposeLast2(a, backend);
    temps.push(a);
  }
  if (transposeB) {
    b = transposeLast2(b, backend);
    temps.push(b);
  }
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = a.shape[ar - 2]!;
  const k = a.shape[ar - 1]!;
  const n = b.shape[br - 1]!;
  if (b.shape[br - 2] !== k) throw new Error(`matMul: inner shapes ${k} and ${b.shape[br - 2]} do not match`);
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const aBatch = sizeOf(aOuter);
  const bBatch = sizeOf(bOuter);
  const noAttrs = { transposeA: false, transposeB: false };
  let out: tf.TensorInfo;
  if (bBatch === 1) {
    // ND x 2-D (or plain 2-D): one 2-D product on a [aBatch*m, k] view.
    const a2: tf.TensorInfo = { dataId: a.dataId, shape: [aBatch * m, k], dtype: a.dtype };
    const b2: tf.TensorInfo = { dataId: b.dataId, shape: [k, n], dtype: b.dtype };
    out = orig({ inputs: { a: a2, b: b2 }, backend, attrs: noAttrs }) as tf.TensorInfo;
    const outer = aOuter.length >= bOuter.length ? aOuter : bOuter;
    out.shape = [...outer, m, n];
  } else {
    const batch = Math.max(aBatch, bBatch);
    if ((aBatch !== batch && aBatch !== 1) || (bBatch !== batch && bBatch !== 1)) {
      throw new Error(`matMul: batch dims ${aOuter} and ${bOuter} are not broadcastable`);
    }
    const outShape = [...(aOuter.length >= bOuter.length ? aOuter : bOuter), m, n];
    out = backend.makeOutput([batch * m, n], "float32");
    for (let i = 0; i < batch; i++) {
      const ai = sliceFresh(a, aBatch === 1 ? 0 : i * m * k, m, k, backend);
      const bi = sliceFresh(b, bBatch === 1 ? 0 : i * k * n, k, n, backend);
      const oi = orig({ inputs: { a: ai, b: bi }, backend, attrs: noAttrs }) as tf.TensorInfo;
      const dst = backend.typedArrayFromHeap(out); // views taken after every allocation
      dst.set(backend.typedArrayFromHeap(oi), i * m * n);
      backend.disposeData(ai.dataId);
      backend.disposeData(bi.dataId);
      backend.disposeData(oi.dataId);
    }
    out.shape = outShape;
  }
  for (const t of temps) backend.disposeData(t.dataId);
  return out;
}

/** JS UnsortedSegmentSum for the wasm backend: out[segmentIds[i]] += x[i] (rows). */
function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as tf.TensorInfo;
  const ids = args.inputs.segmentIds as tf.TensorInfo;
  const numSegments = Number(args.attrs?.numSegments);
  const idCount = sizeOf(ids.shape);
  const inner = sizeOf(x.shape) / idCount;
  const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const o = backend.typedArrayFromHeap(out);
  o.fill(0);
  const xv = backend.typedArrayFromHeap(x);
  const iv = backend.typedArrayFromHeap(ids);
  for (let i = 0; i < idCount; i++) {
    const s = iv[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j]! += xv[src + j]!;
  }
  return out;
}

function patchWasm(): void {
  if (patched) return;
  const k = tf.getKernel("BatchMatMul", "wasm");
  if (!k) throw new Error("backend: wasm BatchMatMul kernel missing");
  original = k.kernelFunc as unknown as KernelFn;
  const setupFunc = k.setupFunc;
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel({ kernelName: "BatchMatMul", backendName: "wasm", setupFunc, kernelFunc: fastBatchMatMul as never });
  if (!tf.getKernel("UnsortedSegmentSum", "wasm")) {
    tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName: "wasm", kernelFunc: unsortedSegmentSum as never });
  }
  patched = true;
}

let wasmPathSet = false;

/** Select and initialise a tfjs backend ("wasm": fast, default; "cpu": tfjs's plain-JS backend, the baseline). */
export async function initBackend(name: BackendName = "wasm"): Promise<void> {
  if (name === "wasm") {
    if (!wasmPathSet) {
      const require = createRequire(import.meta.url);
      const dir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
      setWasmPaths(`${dir}/dist/`);
      wasmPathSet = true;
    }
    patchWasm(); // registered before the backend initialises so setupFunc runs on it
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`backend: could not initialise tfjs backend "${name}"`);
  }
  await tf.ready();
}

/** The active backend's name. */
export function backendName(): string {
  return tf.getBackend();
}

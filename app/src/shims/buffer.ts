// SPDX-License-Identifier: MIT
/**
 * The few `Buffer` calls the SDK's payout tree makes (hex in and out, byte comparison), for the browser. Installed on
 * `globalThis` only where no real Buffer exists; anything else a caller tries throws instead of misbehaving.
 */
type Bytes = Uint8Array & { toString(encoding?: string): string };

function withHex(b: Uint8Array): Bytes {
  const out = b as Bytes;
  out.toString = (enc?: string) => {
    if (enc !== "hex") throw new Error(`Buffer shim: toString(${enc}) is not supported in the browser`);
    let s = "";
    for (const x of b) s += x.toString(16).padStart(2, "0");
    return s;
  };
  return out;
}

const BufferShim = {
  from(src: string | ArrayBufferLike, encOrOffset?: string | number, length?: number): Bytes {
    if (typeof src === "string") {
      if (encOrOffset !== "hex" || src.length % 2 !== 0) throw new Error("Buffer shim: only even-length hex strings are supported");
      const out = new Uint8Array(src.length / 2);
      for (let i = 0; i < out.length; i++) {
        const v = Number.parseInt(src.slice(2 * i, 2 * i + 2), 16);
        if (Number.isNaN(v)) throw new Error("Buffer shim: not hex");
        out[i] = v;
      }
      return withHex(out);
    }
    return withHex(new Uint8Array(src, typeof encOrOffset === "number" ? encOrOffset : 0, length));
  },
  compare(a: Uint8Array, b: Uint8Array): number {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  },
  isBuffer: () => false,
};

const g = globalThis as { Buffer?: unknown };
if (g.Buffer === undefined) g.Buffer = BufferShim;

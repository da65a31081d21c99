// SPDX-License-Identifier: MIT
/**
 * Suffix array construction by induced sorting (SA-IS; Nong, Zhang and Chan 2009), linear time, over an integer
 * alphabet, on typed arrays. The structure follows the well-known compact formulation (as in the AtCoder Library's
 * `sa_is`): classify L/S types, place LMS suffixes, induce L then S, name LMS substrings, recurse when names repeat.
 * Written here from the published algorithm.
 *
 * Working memory beyond the input and the output SA: 1 byte (types) + 4 bytes (LMS map) per symbol, plus the LMS
 * lists (<= n/2 entries) and the recursion on them.
 */
export type Symbols = Uint8Array | Uint16Array | Uint32Array | Int32Array;

/** Suffix array of `s` (values in [0, upper]). Returns an Int32Array of length s.length. */
export function suffixArray(s: Symbols, upper: number): Int32Array {
  const n = s.length;
  if (!Number.isInteger(upper) || upper < 0) throw new Error(`sais: upper must be a non-negative integer, got ${upper}`);
  if (n >= 0x7fffffff) throw new Error(`sais: input of ${n} symbols is too long`);
  const sa = new Int32Array(n);
  saIs(s, upper, sa);
  return sa;
}

function saIs(s: Symbols, upper: number, sa: Int32Array): void {
  const n = s.length;
  if (n === 0) return;
  if (n === 1) {
    sa[0] = 0;
    return;
  }
  if (n === 2) {
    if (s[0]! < s[1]!) {
      sa[0] = 0;
      sa[1] = 1;
    } else {
      sa[0] = 1;
      sa[1] = 0;
    }
    return;
  }
  // ls[i] = 1 when suffix i is S-type
  const ls = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) ls[i] = s[i] === s[i + 1] ? ls[i + 1]! : s[i]! < s[i + 1]! ? 1 : 0;
  const sumL = new Int32Array(upper + 2);
  const sumS = new Int32Array(upper + 2);
  for (let i = 0; i < n; i++) {
    if (!ls[i]) sumS[s[i]!]!++;
    else sumL[s[i]! + 1]!++;
  }
  for (let i = 0; i <= upper; i++) {
    sumS[i]! += sumL[i]!;
    if (i < upper) sumL[i + 1]! += sumS[i]!;
  }
  const buf = new Int32Array(upper + 2);
  const induce = (lms: Int32Array): void => {
    sa.fill(-1);
    buf.set(sumS);
    for (let k = 0; k < lms.length; k++) {
      const d = lms[k]!;
      if (d === n) continue;
      sa[buf[s[d]!]!++] = d;
    }
    buf.set(sumL);
    sa[buf[s[n - 1]!]!++] = n - 1;
    for (let i = 0; i < n; i++) {
      const v = sa[i]!;
      if (v >= 1 && !ls[v - 1]) sa[buf[s[v - 1]!]!++] = v - 1;
    }
    buf.set(sumL);
    for (let i = n - 1; i >= 0; i--) {
      const v = sa[i]!;
      if (v >= 1 && ls[v - 1]) sa[--buf[s[v - 1]! + 1]!] = v - 1;
    }
  };
  const lmsMap = new Int32Array(n + 1).fill(-1);
  let m = 0;
  for (let i = 1; i < n; i++) if (!ls[i - 1] && ls[i]) lmsMap[i] = m++;
  const lms = new Int32Array(m);
  for (let i = 1, k = 0; i < n; i++) if (!ls[i - 1] && ls[i]) lms[k++] = i;
  induce(lms);
  if (m === 0) return;
  const sorted = new Int32Array(m);
  for (let i = 0, k = 0; i < n; i++) {
    const v = sa[i]!;
    if (lmsMap[v] !== -1) sorted[k++] = v;
  }
  const rec = new Int32Array(m);
  let recUpper = 0;
  rec[lmsMap[sorted[0]!]!] = 0;
  for (let i = 1; i < m; i++) {
    let l = sorted[i - 1]!;
    let r = sorted[i]!;
    const endL = lmsMap[l]! + 1 < m ? lms[lmsMap[l]! + 1]! : n;
    const endR = lmsMap[r]! + 1 < m ? lms[lmsMap[r]! + 1]! : n;
    let same = true;
    if (endL - l !== endR - r) same = false;
    else {
      while (l < endL) {
        if (s[l] !== s[r]) break;
        l++;
        r++;
      }
      if (l === n || s[l] !== s[r]) same = false;
    }
    if (!same) recUpper++;
    rec[lmsMap[sorted[i]!]!] = recUpper;
  }
  const recSa = new Int32Array(m);
  saIs(rec, recUpper, recSa);
  for (let i = 0; i < m; i++) sorted[i] = lms[recSa[i]!]!;
  induce(sorted);
}

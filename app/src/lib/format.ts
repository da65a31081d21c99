// SPDX-License-Identifier: MIT
/** Display and input helpers for OPEN amounts, addresses and times. */
import { formatUnits, isAddress, parseUnits, type Address } from "viem";

export const short = (a: string) => (a.length > 12 ? `${a.slice(0, 6)}…${a.slice(-4)}` : a);

/** OPEN (18 decimals) with at most 4 fraction digits. */
export function open(wei: bigint | string): string {
  const s = formatUnits(BigInt(wei), 18);
  const [i, f = ""] = s.split(".");
  const frac = f.slice(0, 4).replace(/0+$/, "");
  return `${Number(i).toLocaleString("en-US")}${frac ? `.${frac}` : ""} OPEN`;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A positive OPEN amount typed by a person ("12.5"), or why not. */
export function parseOpen(text: string, { allowZero = false } = {}): Parsed<bigint> {
  const t = text.trim();
  if (!/^\d+(\.\d{1,18})?$/.test(t)) return { ok: false, error: "Enter an amount like 10 or 2.5 (up to 18 decimals)." };
  const v = parseUnits(t, 18);
  if (!allowZero && v === 0n) return { ok: false, error: "The amount must be more than 0." };
  return { ok: true, value: v };
}

export function parseAddress(text: string): Parsed<Address> {
  const t = text.trim();
  return isAddress(t) ? { ok: true, value: t } : { ok: false, error: "Enter an address: 0x followed by 40 hex digits." };
}

export function parseIntIn(text: string, min: number, max: number, what: string): Parsed<number> {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return { ok: false, error: `${what} must be a whole number.` };
  const n = Number(t);
  return n < min || n > max ? { ok: false, error: `${what} must be between ${min} and ${max}.` } : { ok: true, value: n };
}

export function parseNumberIn(text: string, min: number, max: number, what: string): Parsed<number> {
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(n)) return { ok: false, error: `${what} must be a number.` };
  return n < min || n > max ? { ok: false, error: `${what} must be between ${min} and ${max}.` } : { ok: true, value: n };
}

export const date = (unixSeconds: bigint | string | number) => new Date(Number(unixSeconds) * 1000).toLocaleString("en-GB", { timeZone: "UTC" }) + " UTC";

export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** Sizes in SI units, as the registry counts them (1 MB = 1,000,000 bytes). */
export const bytes = (n: number | bigint) => {
  const v = Number(n);
  return v < 1000 ? `${v} B` : v < 1e6 ? `${(v / 1000).toFixed(1)} kB` : `${(v / 1e6).toFixed(1)} MB`;
};

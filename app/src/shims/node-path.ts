// SPDX-License-Identifier: MIT
/** Browser stand-in for `node:path` (POSIX joins only: the SDK computes a repository root it never uses here). */
export const join = (...parts: string[]) => parts.filter(Boolean).join("/").replace(/\/+/g, "/");
export const resolve = join;
export const dirname = (p: string) => p.replace(/\/[^/]*$/, "") || "/";
export const basename = (p: string) => p.replace(/^.*\//, "");
export default { join, resolve, dirname, basename };

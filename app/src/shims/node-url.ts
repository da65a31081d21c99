// SPDX-License-Identifier: MIT
/** Browser stand-in for `node:url`. */
export const fileURLToPath = (u: string | URL) => new URL(String(u)).pathname;
export default { fileURLToPath };

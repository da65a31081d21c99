// SPDX-License-Identifier: MIT
/** Browser stand-in for `node:crypto`: hashing in the app goes through viem's sha256, never this. */
export const createHash = () => {
  throw new Error("node:crypto is not available in the browser");
};
export const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
export default { createHash, randomBytes };

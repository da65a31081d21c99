// SPDX-License-Identifier: MIT
// The one atomic file writer lives in sdk/content (the content store uses it too).
export { writeFileAtomic } from "../../sdk/content/atomic.ts";

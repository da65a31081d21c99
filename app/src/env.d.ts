// SPDX-License-Identifier: MIT
/** Stylesheets imported for their side effect (bundled by Vite). */
declare module "*.css";

// SPDX-License-Identifier: MIT
/**
 * The web app's build. The SDK is imported as source (no ABI or typed data written twice); its Node-only modules
 * (deployment files read from disk) get browser stand-ins from `src/shims/` that say so if ever called.
 * `npm run dev` serves this with hot reload, proxying the API to a running `npm start` (LINEAGE_APP_API).
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const shim = (name: string) => fileURLToPath(new URL(`./src/shims/${name}.ts`, import.meta.url));
const api = process.env.LINEAGE_APP_API ?? "http://127.0.0.1:42071";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^node:fs(\/promises)?$/, replacement: shim("node-fs") },
      { find: /^node:path$/, replacement: shim("node-path") },
      { find: /^node:url$/, replacement: shim("node-url") },
      { find: /^node:crypto$/, replacement: shim("node-crypto") },
    ],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 2_000,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(["/api", "/rpc", "/graphql", "/merit", "/ipfs"].map((p) => [p, { target: api, changeOrigin: true }])),
  },
});

// SPDX-License-Identifier: MIT
/**
 * A real local network for the browser tests: anvil + deployed contracts (test/e2e/harness.ts), the demo seed, the
 * content gateway, the indexer, and the web app server (built when its sources changed), plus headless Chromium.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startWebApp, type RunningAppServer } from "../server/index.ts";
import { FsContentStore, startGateway, type RunningGateway } from "../../sdk/content/index.ts";
import { ANVIL_KEYS } from "../../scripts/devnet/anvil.ts";
import { startIndexer, type Indexer } from "../../scripts/devnet/indexer.ts";
import { seed } from "../../scripts/devnet/seed.ts";
import { bootChain, chainIndexerOptions, type Chain } from "../../test/e2e/harness.ts";
import { launchBrowser } from "./browser.ts";

export const SCREENSHOTS = join(import.meta.dirname, "screenshots");

export interface AppFixture {
  chain: Chain;
  indexer: Indexer;
  gateway: RunningGateway;
  app: RunningAppServer;
  browser: Browser;
  stop: () => Promise<void>;
}

export async function startAppFixture(): Promise<AppFixture> {
  const chain = await bootChain();
  const stops: (() => Promise<void>)[] = [chain.cleanup];
  try {
    const store = new FsContentStore(join(chain.dir, "data"));
    const registry = chain.deployment.contracts.DatanetRegistry!;
    const gateway = await startGateway({ store, chain: { client: chain.publicClient, registry, chainId: chain.deployment.chainId } });
    stops.unshift(() => gateway.close());
    await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, store });
    // A loaded shared machine can take minutes to bring Ponder up: a generous wait, no timing assertion.
    const indexer = await startIndexer(chainIndexerOptions(chain, { contentUrl: gateway.url, readyTimeoutMs: 600_000 }));
    stops.unshift(() => indexer.stop());
    const app = await startWebApp({
      deployment: chain.deployment,
      rpcUrl: chain.anvil.rpcUrl,
      indexerUrl: indexer.url,
      gatewayUrl: gateway.url,
      dataDir: join(chain.dir, "data"),
      devKeys: ANVIL_KEYS,
      port: 0,
    });
    stops.unshift(() => app.close());
    await app.ready;
    const browser = await launchBrowser();
    stops.unshift(() => browser.close());
    mkdirSync(SCREENSHOTS, { recursive: true });
    return { chain, indexer, gateway, app, browser, stop: async () => { for (const s of stops) await s().catch(() => undefined); } };
  } catch (e) {
    for (const s of stops) await s().catch(() => undefined);
    throw e;
  }
}

/** A page that fails the test on any uncaught page error. */
export async function openPage(f: AppFixture, errors: string[]): Promise<Page> {
  const page = await f.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  page.on("pageerror", (e) => errors.push(e.message));
  return page;
}

/** axe-core in the page: violations of serious or critical impact (WCAG 2 A/AA rules). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[]; help: string }[]> {
  const { createRequire } = await import("node:module");
  const { readFileSync } = await import("node:fs");
  const src = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: src });
  // Evaluated in the page (plain JS: this file is type-checked without the DOM library).
  return (await page.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")), help: v.help }));
  })()`)) as { id: string; impact: string; nodes: string[]; help: string }[];
}

// SPDX-License-Identifier: MIT
/**
 * Web app targets (issue 24), in headless Chromium against a real local network (app/test/fixture.ts):
 *  - first-route bundle: every JS/CSS file the first route ("/") loads, gzipped (level 9, what a server would send);
 *  - first route interactive: navigation start -> the Datanets table shows the indexer's rows (fresh context each run);
 *  - 10,000 contributions: a Datanet with 10,000 contributions, all loaded into the virtualised list, scrolled top to
 *    bottom; frame intervals (requestAnimationFrame) and the number of rows in the DOM.
 * Prints a markdown section for bench/RESULTS.md with the machine's load.
 */
import { loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import { execSync } from "node:child_process";
import { startAppFixture } from "../app/test/fixture.ts";

const N_CONTRIB = Number(process.env.BENCH_CONTRIBUTIONS ?? 10_000);
const PER_TX = 400;
const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");

const f = await startAppFixture();
const out: string[] = [];
try {
  // 1 + 2: first route, five cold loads.
  const times: number[] = [];
  let bundle = { files: 0, raw: 0, gz: 0 };
  for (let i = 0; i < 5; i++) {
    const ctx = await f.browser.newContext({ locale: "en-US" });
    const page = await ctx.newPage();
    const assets: Promise<{ raw: number; gz: number }>[] = [];
    page.on("response", (r) => {
      const url = new URL(r.url());
      if (/\.(js|css)$/.test(url.pathname)) assets.push(r.body().then((b) => ({ raw: b.length, gz: gzipSync(b, { level: 9 }).length })));
    });
    const t0 = Date.now();
    await page.goto(f.app.url);
    await page.getByRole("link", { name: "medicalqa" }).waitFor({ timeout: 60_000 });
    times.push(Date.now() - t0);
    await page.waitForLoadState("networkidle");
    const sizes = await Promise.all(assets);
    bundle = { files: sizes.length, raw: sizes.reduce((a, s) => a + s.raw, 0), gz: sizes.reduce((a, s) => a + s.gz, 0) };
    await ctx.close();
  }
  // Control in the same minute: a navigation to a tiny JSON document from the same server (the browser's own cost).
  const control: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await f.browser.newContext();
    const page = await ctx.newPage();
    const t0 = Date.now();
    await page.goto(`${f.app.url}/health`);
    control.push(Date.now() - t0);
    await ctx.close();
  }
  control.sort((a, b) => a - b);
  const sorted = [...times].sort((a, b) => a - b);
  out.push(`- First route (Datanets list with the indexer's rows), 5 cold loads: median ${sorted[2]} ms, min ${sorted[0]}, max ${sorted[4]} (load ${load()}); control: a navigation to a tiny JSON page (/health) from the same server, median ${control[2]} ms`);
  out.push(`- First-route bundle: ${bundle.files} JS/CSS files, ${(bundle.raw / 1024).toFixed(0)} kB raw, **${(bundle.gz / 1024).toFixed(0)} kB gzipped** (target <= 500 kB)`);

  // 3: 10,000 contributions in one Datanet (open, no bond: approved at once), then a scroll through the list.
  const [, , , , , , , , heidi] = f.chain.users;
  const { datanetId } = await heidi!.createDatanet({ metadataURI: "ipfs://bench", dataType: "Text", declaredBytes: 1_000_000n });
  await heidi!.publishDatanet({ datanetId });
  const t0 = Date.now();
  for (let i = 0; i < N_CONTRIB; i += PER_TX) {
    const items = Array.from({ length: Math.min(PER_TX, N_CONTRIB - i) }, (_, j) => ({ digest: `0x${(i + j + 1).toString(16).padStart(64, "0")}` as `0x${string}`, size: 1 }));
    await heidi!.contribute({ datanetId, items });
  }
  const mineMs = Date.now() - t0;
  await f.indexer.synced();
  const page = await (await f.browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } })).newPage();
  const tl = Date.now();
  await page.goto(`${f.app.url}/datanets/${datanetId}`);
  await page.getByText(`${N_CONTRIB.toLocaleString("en-US")} of ${N_CONTRIB.toLocaleString("en-US")} loaded`).waitFor({ timeout: 300_000 });
  const loadMs = Date.now() - tl;
  // Evaluated in the page as plain JS (this file is type-checked without the DOM library).
  const scroll = (await page.evaluate(`(async () => {
    const el = document.querySelector('[data-testid="contributions"]');
    const frames = [];
    let maxRows = 0;
    let last = performance.now();
    const step = el.scrollHeight / 240; // ~4 s at 60 fps
    for (let i = 0; i < 240; i++) {
      el.scrollTop += step;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      frames.push(now - last);
      last = now;
      maxRows = Math.max(maxRows, el.querySelectorAll('[role="listitem"]').length);
    }
    // Control: the same scroll over a plain 40-row list (no React, no data): what this loaded machine gives any page.
    const plain = document.createElement("div");
    plain.style.cssText = "height:420px;overflow:auto;position:fixed;top:0;left:0;width:600px;background:#fff";
    plain.innerHTML = \`<div style="height:\${el.scrollHeight}px;position:relative">\${Array.from({ length: 40 }, (_, i) => \`<div style="position:absolute;top:\${i * 34}px;height:34px">row \${i}</div>\`).join("")}</div>\`;
    document.body.appendChild(plain);
    const ctl = [];
    let t = performance.now();
    for (let i = 0; i < 240; i++) {
      plain.scrollTop += step;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      ctl.push(now - t);
      t = now;
    }
    plain.remove();
    ctl.sort((a, b) => a - b);
    frames.sort((a, b) => a - b);
    return {
      ctlP50: ctl[120],
      ctlP95: ctl[228], frames: frames.length, p50: frames[Math.floor(frames.length / 2)], p95: frames[Math.floor(frames.length * 0.95)], max: frames.at(-1), over50: frames.filter((x) => x > 50).length, maxRows, atEnd: el.scrollTop + el.clientHeight >= el.scrollHeight - 2 };
  })()`)) as { p50: number; p95: number; max: number; over50: number; maxRows: number; atEnd: boolean; ctlP50: number; ctlP95: number };
  out.push(
    `- ${N_CONTRIB.toLocaleString("en-US")} contributions (${Math.ceil(N_CONTRIB / PER_TX)} transactions in ${(mineMs / 1000).toFixed(1)} s): all pages in the list after ${(loadMs / 1000).toFixed(1)} s; scroll to the end in 240 frames: frame interval p50 ${scroll.p50.toFixed(1)} ms, p95 ${scroll.p95.toFixed(1)} ms, max ${scroll.max.toFixed(1)} ms, ${scroll.over50} frames over 50 ms; at most ${scroll.maxRows} rows in the DOM (virtualised); reached the end: ${scroll.atEnd} (load ${load()}); control in the same page (a plain 40-row div, no React): p50 ${scroll.ctlP50.toFixed(1)} ms, p95 ${scroll.ctlP95.toFixed(1)} ms`,
  );
} finally {
  await f.stop();
}
const commit = execSync("git rev-parse --short HEAD").toString().trim();
console.log(`\n## Web app (issue 24), ${new Date().toISOString().slice(0, 10)}, commit ${commit}, headless Chromium 153 (@sparticuz/chromium), shared 2-core machine\n`);
console.log(out.join("\n"));

// SPDX-License-Identifier: MIT
/**
 * The long walk-through (`npm run test:full`, LINEAGE_FULL=1) in headless Chromium against a real local network:
 * create a Datanet and contribute JSONL files (signed batch), contribute to the gated seed Datanet and approve as its
 * validator, publish a version, request and grant access, fine-tune a tiny adapter on the local training service
 * (progress survives a reload), publish it as a model NFT, cancel a second run, claim earnings over all epochs, vote
 * with the merit proof, delegate and unbond. Chat is not available yet (no serving node here): the smoke test checks
 * that it says so. Screenshots of each step go to app/test/screenshots/.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Page } from "playwright-core";
import { openPage, SCREENSHOTS, startAppFixture, type AppFixture } from "./fixture.ts";

const FULL = process.env.LINEAGE_FULL === "1";
vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 900_000 });

let f: AppFixture;
const errors: string[] = [];
const shot = (p: Page, name: string) => p.screenshot({ path: join(SCREENSHOTS, `full-${name}.png`), fullPage: true });

function jsonl(n: number, offset: number): Buffer {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `Who keeps ledger ${offset + i}?`, response: `Steward ${(offset + i) % 7} keeps ledger ${offset + i}.` }));
  return Buffer.from(`${lines.join("\n")}\n`);
}

async function as(page: Page, index: number) {
  const picker = page.getByLabel("Development account");
  if (!(await picker.isVisible())) await page.getByRole("button", { name: "Use development wallet" }).click();
  await page.getByLabel("Development account").selectOption(String(index));
}

/** Waits for the action's status line; on a timeout, saves what the page showed (alerts included) before failing. */
const done = (page: Page, text: RegExp | string, timeout = 180_000) =>
  page.getByRole("status").filter({ hasText: text }).first().waitFor({ timeout }).catch(async (e: unknown) => {
    await shot(page, `failed-${Date.now()}`).catch(() => undefined);
    throw e;
  });

describe.skipIf(!FULL)("web app walk-through (LINEAGE_FULL=1)", () => {
  beforeAll(async () => {
    f = await startAppFixture();
  });
  afterAll(async () => {
    await f?.stop();
  });

  let datanetPath = "";
  it("creates a Datanet, contributes files as a signed batch and publishes a version", async () => {
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}/datanets/new`);
    await as(page, 6);
    await page.getByLabel("Name").fill("Steward ledgers");
    await page.getByRole("button", { name: "Create Datanet" }).click();
    await page.getByRole("heading", { name: /Steward ledgers/ }).waitFor({ timeout: 120_000 });
    datanetPath = new URL(page.url()).pathname;
    await page.getByLabel("Choose files").setInputFiles([
      { name: "a.jsonl", mimeType: "application/json", buffer: jsonl(24, 0) },
      { name: "b.jsonl", mimeType: "application/json", buffer: jsonl(24, 24) },
    ]);
    await page.getByRole("button", { name: /Sign and submit 2 files/ }).click();
    await done(page, /2 contribution\(s\) submitted/);
    await page.getByText("2 of 2 loaded").waitFor({ timeout: 60_000 });
    await page.getByLabel("Contributions covered").fill("2");
    await page.getByRole("button", { name: "Publish a version" }).click();
    await done(page, /Version 1 published/);
    await page.getByRole("table", { name: "Versions" }).getByText("root matches").waitFor({ timeout: 60_000 });
    await shot(page, "01-datanet");
    await page.close();
  });

  it("contributes to the gated seed Datanet and approves it as the validator", async () => {
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}/datanets/1`);
    await as(page, 5);
    await page.getByLabel("Choose files").setInputFiles([{ name: "c.jsonl", mimeType: "application/json", buffer: jsonl(3, 100) }]);
    await page.getByRole("button", { name: /Sign and submit 1 file/ }).click();
    await done(page, /1 contribution\(s\) submitted/);
    await as(page, 2); // bob, the seed's validator
    await page.getByText(/You validate this Datanet: 1 pending/).waitFor({ timeout: 120_000 });
    await page.getByRole("button", { name: "Select all pending" }).click();
    await page.getByRole("button", { name: "Approve selected" }).click();
    await done(page, /1 contribution\(s\) approved/);
    await shot(page, "02-validated");
    await page.close();
  });

  it("requests access and the owner grants it", async () => {
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}${datanetPath}`);
    await as(page, 7);
    await page.getByRole("button", { name: "Request access" }).click();
    await done(page, /requested/);
    await as(page, 6);
    await page.getByRole("button", { name: "Grant" }).click({ timeout: 60_000 });
    await done(page, /Granted v1/);
    await as(page, 7);
    await page.getByText("you have access").waitFor({ timeout: 60_000 });
    await shot(page, "03-access");
    await page.close();
  });

  it("fine-tunes on the version (progress survives a reload), publishes the model, cancels a second run", async () => {
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}/factory`);
    await as(page, 6);
    const id = datanetPath.split("/").pop();
    await page.getByLabel("Datanet version").selectOption(`${id}:1`);
    await page.getByLabel("Base model").selectOption("lineage-tiny");
    await page.getByLabel("Steps", { exact: true }).fill("6");
    await page.getByLabel("Batch size", { exact: true }).fill("4");
    await page.getByLabel("Eval every", { exact: true }).fill("3");
    await page.getByRole("button", { name: "Start fine-tune" }).click();
    await page.getByTestId("progress").waitFor({ timeout: 600_000 });
    await page.reload();
    await page.getByTestId("progress").waitFor({ timeout: 60_000 });
    await page.getByRole("heading", { name: "Publish as a model NFT" }).waitFor({ timeout: 900_000 });
    await shot(page, "04-trained");
    await page.getByLabel("Price per 1k tokens (OPEN)").fill("0.02");
    await page.getByLabel("Holder's share of revenue (%)").fill("25");
    await page.getByRole("button", { name: "Mint model NFT" }).click();
    await done(page, /Model #\d+ minted/);
    await page.getByRole("button", { name: "Close" }).click();
    // The reload gave a fresh form: choose again.
    await page.getByLabel("Datanet version").selectOption(`${id}:1`);
    await page.getByLabel("Base model").selectOption("lineage-tiny");
    await page.getByLabel("Steps", { exact: true }).fill("500");
    await page.getByRole("button", { name: "Start fine-tune" }).click();
    await page.getByRole("button", { name: "Cancel run" }).click({ timeout: 120_000 });
    await done(page, "Run cancelled.");
    await page.getByRole("heading", { name: /\(cancelled\)/ }).waitFor({ timeout: 60_000 });
    await shot(page, "05-cancelled");
    await page.close();
  });

  it("claims earnings over all epochs and votes with the merit proof", async () => {
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}/earnings`);
    await as(page, 5); // erin: a leaf in the seed's payout root
    await page.getByRole("button", { name: "Claim all epochs" }).click({ timeout: 60_000 });
    await done(page, /Claimed .* OPEN/);
    await shot(page, "06-claimed");
    await page.goto(`${f.app.url}/governance`);
    await page.getByRole("button", { name: "Vote for (with merit)" }).click({ timeout: 60_000 });
    await done(page, /Voted for with weight .* \(merit/);
    await shot(page, "07-voted");
    await page.close();
  });

  it("delegates and unbonds with the delay shown", async () => {
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}/staking`);
    await as(page, 8);
    const node = f.chain.users[7]!.address; // grace runs the seed's Node operator
    await page.getByLabel("Operator", { exact: true }).selectOption({ value: node.toLowerCase() });
    await page.getByLabel("Amount (OPEN)").fill("100");
    await page.getByRole("button", { name: "Delegate / stake" }).click();
    await done(page, /Delegated 100 OPEN/);
    await page.getByText(/100 OPEN bonded/).waitFor({ timeout: 120_000 }); // the indexer has the delegation
    await page.getByLabel("Amount (OPEN)").fill("40");
    await page.getByRole("button", { name: "Unbond" }).click();
    await done(page, /withdrawable in 28\.0 days/);
    await shot(page, "08-staking");
    expect(errors).toEqual([]);
    await page.close();
  });
});

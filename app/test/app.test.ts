// SPDX-License-Identifier: MIT
/**
 * Browser smoke test of the web app against a real local network (anvil, contracts, seed, gateway, indexer, app server)
 * in headless Chromium: every route renders with the seeded data, the dev wallet connects, bad input is refused with a
 * visible message and nothing sent, one signed action (create and publish a Datanet) lands on-chain and in the
 * indexer, axe-core finds no serious accessibility violation, keyboard navigation starts at the skip link.
 * Screenshots go to app/test/screenshots/ (gitignored).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { datanetRegistryAbi } from "../../sdk/abi/index.ts";
import { axeViolations, openPage, SCREENSHOTS, startAppFixture, type AppFixture } from "./fixture.ts";

vi.setConfig({ testTimeout: 600_000, hookTimeout: 900_000 });

let f: AppFixture;
const errors: string[] = [];
const shot = (name: string) => join(SCREENSHOTS, `${name}.png`);

beforeAll(async () => {
  f = await startAppFixture();
});
afterAll(async () => {
  await f?.stop();
});

describe("web app smoke", () => {
  it("renders every route with the seeded data", async () => {
    const page = await openPage(f, errors);
    await page.goto(f.app.url);
    await page.getByRole("link", { name: "medicalqa" }).waitFor({ timeout: 60_000 });
    await page.getByRole("link", { name: "soliditysnippets" }).waitFor();
    await page.screenshot({ path: shot("01-datanets"), fullPage: true });

    await page.getByRole("link", { name: "medicalqa" }).click();
    await page.getByRole("heading", { name: /medicalqa/ }).waitFor();
    await page.getByRole("list", { name: "Contributions" }).getByRole("listitem").first().waitFor();
    expect(await page.getByRole("list", { name: "Contributions" }).getByRole("listitem").count()).toBe(8);
    await page.getByRole("table", { name: "Versions" }).getByText("root matches").first().waitFor();
    await page.screenshot({ path: shot("02-datanet-detail"), fullPage: true });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Staking" }).click();
    await page.getByRole("table", { name: "Operators" }).getByText("Validator").waitFor();
    await page.getByRole("table", { name: "Operators" }).getByText("Node").waitFor();
    await page.getByText(/Unbonding delay: \d/).waitFor();
    await page.screenshot({ path: shot("03-staking"), fullPage: true });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Governance" }).click();
    await page.getByRole("heading", { name: /publication fee/ }).waitFor();
    await page.screenshot({ path: shot("04-governance"), fullPage: true });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Earnings" }).click();
    await page.getByText("Connect a wallet to see what it earned.").waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Model Factory" }).click();
    await page.getByRole("heading", { name: "Model Factory" }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
    await page.getByText(/not available on this network yet/).waitFor();
    await page.getByRole("table", { name: "Models" }).getByText("#1").waitFor();
    await page.screenshot({ path: shot("05-chat"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("connects the dev wallet and shows its account's earnings and voting power", async () => {
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}/earnings`);
    await page.getByRole("button", { name: "Use development wallet" }).click();
    await page.getByLabel("Development account").selectOption("5"); // erin: a leaf in the seed's payout root, not claimed yet
    await page.getByRole("heading", { name: "Claimable" }).waitFor({ timeout: 60_000 });
    await page.getByTestId("claimable").filter({ hasNotText: /^0 OPEN$/ }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: shot("06-earnings"), fullPage: true });
    await page.goto(`${f.app.url}/governance`);
    await page.getByLabel("Voting power breakdown").waitFor({ timeout: 60_000 });
    await page.screenshot({ path: shot("07-governance-wallet"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("refuses bad input with a visible message and sends nothing", async () => {
    const registry = f.chain.deployment.contracts.DatanetRegistry!;
    const before = await f.chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "datanetCount" });
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}/datanets/new`);
    await page.getByRole("button", { name: "Use development wallet" }).click();
    await page.getByLabel("Name").fill("x");
    await page.getByLabel("Bond per contribution (OPEN)").fill("-3");
    await page.getByRole("button", { name: "Create Datanet" }).click();
    await page.getByText("Give a name of 3 to 80 characters.").waitFor();
    await page.getByText(/Enter an amount like 10/).waitFor();
    await page.getByText("Fix the fields marked above: nothing was sent.").waitFor();
    await page.screenshot({ path: shot("08-bad-input"), fullPage: true });
    const after = await f.chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "datanetCount" });
    expect(after).toBe(before);
    await page.close();
  });

  it("creates and publishes a Datanet with the dev wallet (signed on-chain, then seen by the indexer)", async () => {
    const page = await openPage(f, errors);
    await page.goto(`${f.app.url}/datanets/new`);
    await page.getByRole("button", { name: "Use development wallet" }).click();
    await page.getByLabel("Development account").selectOption("4");
    await page.getByLabel("Name").fill("Browser-made QA set");
    await page.getByLabel("Description").fill("Created by the smoke test");
    await page.getByRole("button", { name: "Create Datanet" }).click();
    await page.getByRole("heading", { name: /Browser-made QA set/ }).waitFor({ timeout: 120_000 });
    await page.getByText("Published", { exact: true }).first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: shot("09-created"), fullPage: true });
    const id = Number(new URL(page.url()).pathname.split("/").pop());
    const d = await f.chain.publicClient.readContract({ address: f.chain.deployment.contracts.DatanetRegistry!, abi: datanetRegistryAbi, functionName: "getDatanet", args: [BigInt(id)] });
    expect(d.owner.toLowerCase()).toBe(f.chain.users[4]!.address.toLowerCase());
    expect(errors).toEqual([]);
    await page.close();
  });

  it("passes axe-core (no serious or critical violation) and starts keyboard navigation at the skip link", async () => {
    const page = await openPage(f, errors);
    for (const path of ["/", "/datanets/1", "/datanets/new", "/staking", "/governance", "/factory", "/chat"]) {
      await page.goto(`${f.app.url}${path}`);
      await page.getByRole("main").locator("h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      expect({ path, violations: await axeViolations(page) }).toEqual({ path, violations: [] });
    }
    await page.goto(f.app.url);
    await page.getByRole("link", { name: "medicalqa" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to content");
    // Enter on the skip link moves focus to the main content; Tab then reaches the page's own controls.
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement?.id")).toBe("main");
    await page.close();
  });
});

// SPDX-License-Identifier: MIT
/** Headless Chromium from npm (@sparticuz/chromium) driven by playwright-core; several pages per browser. */
import chromium from "@sparticuz/chromium";
import { chromium as pw, type Browser } from "playwright-core";

export async function launchBrowser(): Promise<Browser> {
  const executablePath = await chromium.executablePath();
  // `--single-process` (meant for serverless) closes the whole browser with its first page: dropped.
  const args = chromium.args.filter((a) => a !== "--single-process");
  return pw.launch({ executablePath, args, headless: true });
}

// SPDX-License-Identifier: MIT
/** The receipt journal: durable appends, replay, a torn tail cut, a corrupt record refused, seq order enforced. */
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUsageReceipt, signVoucher, usageReceiptDigest } from "../../../sdk/payout/index.ts";
import type { ServedReceipt } from "../../../sdk/serving/index.ts";
import { FileJournal, JOURNAL_FILE, JournalError } from "./journal.ts";

const node = privateKeyToAccount("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
const target = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const };

async function receipt(channelId: bigint, seq: bigint, cumulativeAmount: bigint): Promise<ServedReceipt> {
  const r = { channelId, seq, modelId: 1n, adapterDigest: `0x${"11".repeat(32)}` as const, tokensIn: 3, tokensOut: 4, cumulativeAmount, requestHash: `0x${seq.toString(16).padStart(64, "0")}` as const };
  return { ...(await signUsageReceipt(node, r, target)), digest: usageReceiptDigest(r, target), node: node.address };
}

describe("FileJournal", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "journal-"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("appends with group commit, replays, cuts a torn tail and refuses a corrupt record", async () => {
    const j = await FileJournal.open(dir);
    const rs = [await receipt(1n, 1n, 10n), await receipt(2n, 1n, 5n), await receipt(1n, 2n, 30n)];
    await Promise.all(rs.map((r, i) => j.appendReceipt(r, { request: { i }, response: `out ${i}` })));
    expect(j.commits).toBeLessThan(3); // the three appends shared fsyncs
    await j.recordVoucher(await signVoucher(node, { channelId: 1n, cumulativeAmount: 10n }, target));
    await j.recordVoucher(await signVoucher(node, { channelId: 1n, cumulativeAmount: 7n }, target)); // lower: ignored
    expect(() => j.appendReceipt(rs[0]!, { request: {}, response: "" })).toThrow(JournalError); // seq 1 again on channel 1
    await j.close();
    await appendFile(join(dir, JOURNAL_FILE), '{"t":"r","cursor":4,"ti'); // a crash mid-write
    const k = await FileJournal.open(dir);
    expect(k.head()).toBe(3);
    expect(k.lastReceipt(1n)).toEqual(rs[2]);
    expect((await k.entries(1, 10)).map((e) => e.cursor)).toEqual([2, 3]);
    expect(await k.transcript(rs[1]!.digest)).toEqual({ request: { i: 1 }, response: "out 1" });
    expect((await k.vouchers()).map((v) => v.cumulativeAmount)).toEqual([10n]);
    expect(k.unacknowledged(1n, 10n).map((r) => r.seq)).toEqual([2n]);
    await k.appendReceipt(await receipt(1n, 3n, 31n), { request: {}, response: "after" });
    await k.close();
    expect((await readFile(join(dir, JOURNAL_FILE), "utf8")).includes('"ti{')).toBe(false);
    const lines = (await readFile(join(dir, JOURNAL_FILE), "utf8")).split("\n");
    lines[1] = lines[1]!.replace('"cursor":2', '"cursor":"x"');
    await writeFile(join(dir, JOURNAL_FILE), lines.join("\n"));
    await expect(FileJournal.open(dir)).rejects.toThrow(/record 2 is corrupt/);
  });
});

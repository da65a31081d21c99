// SPDX-License-Identifier: MIT
/**
 * Cross-check of the SDK against the contracts on a real anvil (forge artifacts from `out/`): a TS-built payout tree
 * is claimable on-chain (and a tampered proof is refused), TS-signed vouchers redeem, TS-signed claims pay another
 * recipient, and the TS digests equal the contracts' own.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BaseError, ContractFunctionRevertedError, getAddress, type Abi, type Address, type Hex, type LocalAccount } from "viem";
import { startTestChain, type TestChain } from "../content/testchain.ts";
import {
  PayoutTree,
  claimToDigest,
  payoutLeafHash,
  signClaimTo,
  signUsageReceipt,
  signVoucher,
  usageReceiptDigest,
  verifyVoucherOnChain,
  voucherDigest,
  type PayoutEntry,
} from "./index.ts";

async function artifact(file: string, name: string): Promise<{ abi: Abi; bytecode: Hex }> {
  const path = join(process.cwd(), "out", file, `${name}.json`);
  const json = JSON.parse(await readFile(path, "utf8").catch(() => {
    throw new Error(`missing forge artifact ${path}: run \`npx forge build\` first`);
  })) as { abi: Abi; bytecode: { object: Hex } };
  return { abi: json.abi, bytecode: json.bytecode.object };
}

const E18 = 10n ** 18n;
let chain: TestChain;
let gov: LocalAccount; // governance, treasury and root poster on this devnet
let payer: LocalAccount;
let node: LocalAccount;
let owner: LocalAccount;
const abis: Record<string, Abi> = {};
const at: Record<string, Address> = {};

async function deploy(file: string, name: string, args: unknown[]): Promise<Address> {
  const { abi, bytecode } = await artifact(file, name);
  abis[name] = abi;
  const hash = await chain.wallet(gov).deployContract({ abi, bytecode, args, account: gov, chain: null });
  const receipt = await chain.client.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`${name} not deployed`);
  at[name] = receipt.contractAddress;
  return receipt.contractAddress;
}

async function send(from: LocalAccount, name: string, functionName: string, args: unknown[]): Promise<void> {
  const { request } = await chain.client.simulateContract({ address: at[name]!, abi: abis[name]!, functionName, args, account: from });
  const hash = await chain.wallet(from).writeContract({ ...request, account: from, chain: null } as Parameters<ReturnType<TestChain["wallet"]>["writeContract"]>[0]);
  const receipt = await chain.client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${name}.${functionName} failed`);
}

async function read<T>(name: string, functionName: string, args: unknown[] = []): Promise<T> {
  return (await chain.client.readContract({ address: at[name]!, abi: abis[name]!, functionName, args })) as T;
}

/** The custom error name a call reverts with (simulated). */
async function revertName(from: LocalAccount, name: string, functionName: string, args: unknown[]): Promise<string> {
  try {
    await chain.client.simulateContract({ address: at[name]!, abi: abis[name]!, functionName, args, account: from });
  } catch (e) {
    const r = e instanceof BaseError ? e.walk((x) => x instanceof ContractFunctionRevertedError) : undefined;
    if (r instanceof ContractFunctionRevertedError) return r.data?.errorName ?? "unknown";
    throw e;
  }
  throw new Error(`${name}.${functionName} did not revert`);
}

async function increaseTime(seconds: number): Promise<void> {
  await chain.client.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await chain.client.request({ method: "evm_mine" as never, params: [] as never });
}

beforeAll(async () => {
  chain = await startTestChain();
  [gov, payer, node, owner] = chain.accounts as [LocalAccount, LocalAccount, LocalAccount, LocalAccount];
  const token = await deploy("OpenToken.sol", "OpenToken", [gov.address]);
  const models = await deploy("SettlementDoubles.sol", "SettlementModelTermsDouble", []);
  const staking = await deploy("SettlementDoubles.sol", "SettlementStakingDouble", [token]);
  const dist = await deploy("RewardsDistributor.sol", "RewardsDistributor", [
    token, gov.address, gov.address,
    { challengeWindow: 3600, posterBond: 10n * E18, disputeBond: 10n * E18, winnerShareBps: 5000 },
    7 * 86400, 180 * 86400,
  ]);
  await deploy("PaymentChannels.sol", "PaymentChannels", [token, models, staking, dist, gov.address, gov.address, 500, 2000, 3600]);
  await send(gov, "SettlementModelTermsDouble", "setTerms", [1n, owner.address, 3000, 10n ** 15n]);
  await send(gov, "SettlementStakingDouble", "setActive", [node.address, true]);
  await send(gov, "OpenToken", "transfer", [payer.address, 1000n * E18]);
});

afterAll(async () => {
  await chain?.stop();
});

describe("settlement SDK on anvil", () => {
  it("TS-signed vouchers redeem on-chain; a tampered voucher is refused", async () => {
    const channels = at.PaymentChannels!;
    const target = { chainId: chain.chainId, verifyingContract: channels };
    await send(payer, "OpenToken", "approve", [channels, 10n * E18]);
    await send(payer, "PaymentChannels", "open", [node.address, 1n, "0x0000000000000000000000000000000000000000", 10n * E18]);
    const channelId = 1n;
    // 25 inferences, one cumulative voucher each (off-chain); the node redeems only the latest.
    let latest = await signVoucher(payer, { channelId, cumulativeAmount: 0n }, target);
    for (let i = 1n; i <= 25n; i++) latest = await signVoucher(payer, { channelId, cumulativeAmount: i * 5n * 10n ** 14n }, target);
    expect(await read<Hex>("PaymentChannels", "voucherDigest", [channelId, latest.cumulativeAmount])).toBe(voucherDigest(latest, target));
    const tampered = { ...latest, cumulativeAmount: latest.cumulativeAmount + 1n };
    expect(await revertName(node, "PaymentChannels", "redeem", [channelId, tampered.cumulativeAmount, tampered.signature])).toBe(
      "PaymentChannelsInvalidSignature",
    );
    await send(node, "PaymentChannels", "redeem", [channelId, latest.cumulativeAmount, latest.signature]);
    const ch = await read<{ redeemed: bigint }>("PaymentChannels", "channel", [channelId]);
    expect(ch.redeemed).toBe(125n * 10n ** 14n);
    expect(await read<bigint>("PaymentChannels", "pendingNodeReward", [node.address])).toBe(25n * 10n ** 14n);
    // Replaying the same voucher pays nothing.
    expect(await revertName(node, "PaymentChannels", "redeem", [channelId, latest.cumulativeAmount, latest.signature])).toBe(
      "PaymentChannelsNothingToRedeem",
    );
    // The node's usage receipts are signed in the same domain: the TS digest equals the contract's.
    const receipt = {
      channelId, seq: 25n, modelId: 1n, adapterDigest: `0x${"ab".repeat(32)}` as Hex, tokensIn: 200, tokensOut: 300,
      cumulativeAmount: latest.cumulativeAmount, requestHash: `0x${"cd".repeat(32)}` as Hex,
    };
    await signUsageReceipt(node, receipt, target);
    expect(await read<Hex>("PaymentChannels", "receiptDigest", [receipt])).toBe(usageReceiptDigest(receipt, target));
  });

  it("a voucher from an ERC-1271 wallet (signed by its owner key in TS) verifies through the chain and redeems", async () => {
    const channels = at.PaymentChannels!;
    const target = { chainId: chain.chainId, verifyingContract: channels };
    const wallet = await deploy("PaymentChannels.t.sol", "SettlementWallet1271", [owner.address]);
    await send(payer, "OpenToken", "approve", [channels, 5n * E18]);
    await send(payer, "PaymentChannels", "open", [node.address, 1n, wallet, 5n * E18]);
    const channelId = await read<bigint>("PaymentChannels", "channelCount");
    const signed = await signVoucher(owner, { channelId, cumulativeAmount: E18 }, target);
    expect(await verifyVoucherOnChain(chain.client, signed, wallet, target, E18)).toBe(true);
    expect(await verifyVoucherOnChain(chain.client, { ...signed, cumulativeAmount: 2n * E18 }, wallet, target)).toBe(false);
    const stranger = await signVoucher(payer, { channelId, cumulativeAmount: E18 }, target);
    expect(await verifyVoucherOnChain(chain.client, stranger, wallet, target)).toBe(false);
    await send(node, "PaymentChannels", "redeem", [channelId, signed.cumulativeAmount, signed.signature]);
    expect((await read<{ redeemed: bigint }>("PaymentChannels", "channel", [channelId])).redeemed).toBe(E18);
  });

  it("a TS-built payout tree is claimable on-chain; a tampered proof is refused; a signed claim pays another recipient", async () => {
    const dist = at.RewardsDistributor!;
    const target = { chainId: chain.chainId, verifyingContract: dist };
    const claimers = [payer, node, owner];
    // 300 accounts: three dev accounts (they can sign) plus generated ones.
    const entries: PayoutEntry[] = Array.from({ length: 300 }, (_, i) => ({
      account: i < 3 ? claimers[i]!.address : getAddress(`0x${(0x7000 + i).toString(16).padStart(40, "0")}`),
      cumulativeAmount: BigInt(i + 1) * E18,
      merit: BigInt(i * 3),
    }));
    const tree = PayoutTree.build(entries);
    expect(await read<Hex>("RewardsDistributor", "leafHash", [entries[0]!.account, entries[0]!.cumulativeAmount, entries[0]!.merit])).toBe(
      payoutLeafHash(entries[0]!),
    );
    await send(gov, "OpenToken", "approve", [dist, tree.totalAmount + 10n * E18]);
    await send(gov, "RewardsDistributor", "fundPool", [1n, tree.totalAmount]);
    await send(gov, "RewardsDistributor", "depositBond", [10n * E18]);
    await send(gov, "RewardsDistributor", "setPoster", [gov.address, true]);
    const block = await chain.client.getBlock();
    await send(gov, "RewardsDistributor", "postRoot", [1n, block.timestamp, tree.root, tree.totalAmount, tree.totalMerit, "bafkinputs"]);
    await increaseTime(3601);
    await send(gov, "RewardsDistributor", "finalize", [1n]);
    expect(await read<Hex>("RewardsDistributor", "finalRoot")).toBe(tree.root);

    // A tampered proof (one sibling flipped) is refused, and so is a wrong amount.
    const e0 = entries[0]!;
    const proof = tree.proof(e0.account);
    const bad = [...proof];
    bad[3] = `0x${(BigInt(bad[3]!) ^ 1n).toString(16).padStart(64, "0")}` as Hex;
    expect(await revertName(gov, "RewardsDistributor", "claim", [e0.account, e0.cumulativeAmount, e0.merit, bad])).toBe("RewardsInvalidProof");
    expect(await revertName(gov, "RewardsDistributor", "claim", [e0.account, e0.cumulativeAmount + 1n, e0.merit, proof])).toBe(
      "RewardsInvalidProof",
    );

    // The real proof pays (anyone may relay it; the account is paid).
    const before = await read<bigint>("OpenToken", "balanceOf", [e0.account]);
    await send(gov, "RewardsDistributor", "claim", [e0.account, e0.cumulativeAmount, e0.merit, proof]);
    expect((await read<bigint>("OpenToken", "balanceOf", [e0.account])) - before).toBe(e0.cumulativeAmount);

    // A TS-signed ClaimTo sends entry 1's amount to a cold wallet.
    const e1 = entries[1]!;
    const cold = getAddress("0x00000000000000000000000000000000000c01d0");
    const deadline = block.timestamp + 86400n;
    const nonce = await read<bigint>("RewardsDistributor", "nonces", [e1.account]);
    const claim = { account: e1.account, recipient: cold, nonce, deadline };
    expect(await read<Hex>("RewardsDistributor", "claimToDigest", [e1.account, cold, nonce, deadline])).toBe(claimToDigest(claim, target));
    const sig = await signClaimTo(node, claim, target);
    await send(gov, "RewardsDistributor", "claimTo", [e1.account, cold, e1.cumulativeAmount, e1.merit, tree.proof(e1.account), deadline, sig]);
    expect(await read<bigint>("OpenToken", "balanceOf", [cold])).toBe(e1.cumulativeAmount);
    // A batch claim for generated accounts.
    const batch = entries.slice(10, 20).map((e) => ({ account: e.account, cumulativeAmount: e.cumulativeAmount, merit: e.merit, proof: tree.proof(e.account) }));
    await send(gov, "RewardsDistributor", "claimMany", [batch]);
    expect(await read<bigint>("OpenToken", "balanceOf", [entries[15]!.account])).toBe(entries[15]!.cumulativeAmount);
  });
});

// SPDX-License-Identifier: MIT
/**
 * End to end: anvil on a free port, every contract deployed by script/Deploy.s.sol, every SDK flow run, the indexer
 * started on PGlite; then every entity served over GraphQL is checked against the chain.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { encodeAbiParameters, getAddress, isAddressEqual, parseAbiItem, parseEther, parseEventLogs, zeroAddress, type Address, type Hex } from "viem";
import {
  datanetRegistryAbi,
  lineageGovernorAbi,
  modelRegistryAbi,
  openTokenAbi,
  paymentChannelsAbi,
  rewardsDistributorAbi,
  stakingRegistryAbi,
  timelockControllerAbi,
} from "../../sdk/abi/index.ts";
import { commitContribution, ContractRevertError, InvalidParameterError, itemOf, packItems, writeContract } from "../../sdk/client/index.ts";
import { randomSalt } from "../../sdk/datanet/index.ts";
import { cidFromDigest, FsContentStore, startGateway, type RunningGateway } from "../../sdk/content/index.ts";
import { fetchPayoutTreeDocument, parseMeritProof, PayoutTree, publishPayoutTree, verifyPayoutProof } from "../../sdk/payout/index.ts";
import { startIndexer, type Indexer } from "../../scripts/devnet/indexer.ts";
import { seed } from "../../scripts/devnet/seed.ts";
import { diffSchema, parseSdl, SCHEMA_FILE, servedEntities } from "../../scripts/subgraph-schema.ts";
import { allRows, bootChain, chainIndexerOptions, type Chain } from "./harness.ts";

// Real anvil, forge and Ponder processes on a shared 2-core machine: generous limits (no timing assertions).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

let chain: Chain;
let indexer: Indexer;
let gateway: RunningGateway;
let store: FsContentStore;
const addr = (a: string) => getAddress(a);

beforeAll(async () => {
  chain = await bootChain();
  // The seed publishes its payout tree's document to this store; the gateway serves it to the indexer's merit route.
  store = new FsContentStore(join(chain.dir, "data"));
  gateway = await startGateway({ store });
  await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, store });
  // Flows beyond the seed: an approval; a version posted with a wrong root (the contract cannot check it, the
  // indexer must flag it).
  const [, alice, bob] = chain.users;
  await alice!.approve({ spender: bob!.walletClient!.account.address, amount: parseEther("500") });
  await writeContract(alice!, "publishVersion", {
    address: chain.deployment.contracts.DatanetRegistry as Address,
    abi: datanetRegistryAbi,
    functionName: "publishVersion",
    args: [1n, `0x${"ab".repeat(32)}`, 6n, "bafkreiwrongroot"],
  });
  // The security council (anvil account 5 in deployments/config/31337.json) pauses the staking registry and lifts the
  // pause at once: the indexer must show both, and nothing else in the run is affected.
  const staking = chain.deployment.contracts.StakingRegistry as Address;
  const council = chain.users[5]!;
  for (const functionName of ["pause", "unpause"] as const) {
    await writeContract(council, functionName, { address: staking, abi: stakingRegistryAbi, functionName, args: [] });
  }
  await copiedContribution();
  // The seeded node (grace, account 7) announces its receipts of epoch 1 (a document in the store, named by digest).
  const announced = await store.put(new TextEncoder().encode('{"kind":"lineage.receipts","version":1,"epoch":1,"count":0}'));
  await chain.users[7]!.announceReceipts({ epoch: 1n, digest: announced.digest });
  indexer = await startIndexer(chainIndexerOptions(chain, { contentUrl: gateway.url }));
});

/**
 * A hostile mempool: erin commits an item; dave reads her pending reveal, commits the same item as his own and, her
 * reveal being delayed, reveals first. Her reveal (earlier commitment) takes it over; dave's 10 OPEN bond goes to the
 * treasury. The indexer tests below then see a reassigned contribution (same id, new contributor).
 */
let copied: { digest: Hex; daveBondedBefore: bigint; daveOwedBefore: bigint; id: bigint; reassigned: number };
async function copiedContribution(): Promise<void> {
  const [, , , , dave, erin] = chain.users;
  const registry = chain.deployment.contracts.DatanetRegistry as Address;
  const read = <T>(functionName: "bondedOf" | "getContribution", args: readonly unknown[]) =>
    chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName, args } as never) as Promise<T>;
  const daveOwedBefore = await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "owed", args: [dave!.address] });
  const items = packItems([itemOf(new TextEncoder().encode("Q: What does vitamin K do? A: It is needed for blood clotting."))]);
  const digest = items.slice(0, 66) as Hex;
  const [salt, copierSalt] = [randomSalt(), randomSalt()];
  await commitContribution(erin!, { contributor: erin!.address, datanetId: 1n, items, salt });
  await commitContribution(dave!, { contributor: dave!.address, datanetId: 1n, items, salt: copierSalt });
  const reveal = (who: typeof dave, s: Hex) =>
    writeContract(who!, "reveal", { address: registry, abi: datanetRegistryAbi, functionName: "contributeBatch", args: [1n, items, parseEther("10"), s] }, "pending");
  const daveBondedBefore = await read<bigint>("bondedOf", [dave!.address]);
  await reveal(dave, copierSalt);
  const res = await reveal(erin, salt);
  const id = (await read<{ id: bigint }>("getContribution", [1n, digest])).id;
  const reassigned = parseEventLogs({ abi: datanetRegistryAbi, logs: res.receipt.logs, eventName: "ContributionReassigned" }).length;
  copied = { digest, daveBondedBefore, daveOwedBefore, id, reassigned };
}

afterAll(async () => {
  await indexer?.stop();
  await gateway?.close();
  await chain?.cleanup();
});

describe("SDK flows", () => {
  it("refuses bad parameters before sending anything", async () => {
    const [, alice] = chain.users;
    const nonce = await chain.publicClient.getTransactionCount({ address: alice!.walletClient!.account.address });
    await expect(alice!.transfer({ to: zeroAddress, amount: 1n })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice!.transfer({ to: alice!.walletClient!.account.address, amount: 0n })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
    expect(await chain.publicClient.getTransactionCount({ address: alice!.walletClient!.account.address })).toBe(nonce);
  });

  it("refuses malformed contribution items and decodes a duplicate", async () => {
    const [, , , , dave] = chain.users;
    await expect(dave!.contribute({ datanetId: 1n, items: [{ digest: `0x${"00".repeat(32)}`, size: 5 }] })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
    await expect(dave!.contribute({ datanetId: 1n, items: [] })).rejects.toBeInstanceOf(InvalidParameterError);
    const seeded = itemOf(new TextEncoder().encode("Q: Which vitamin deficiency causes scurvy? A: Vitamin C (ascorbic acid)."));
    const err = await dave!.contribute({ datanetId: 1n, items: [seeded] }).catch((e: unknown) => e);
    expect((err as ContractRevertError).errorName).toBe("DatanetDuplicate");
  });

  it("a copier of a pending contribution ends with nothing: the earlier commitment takes it over", async () => {
    const [, , , , dave, erin] = chain.users;
    const registry = chain.deployment.contracts.DatanetRegistry as Address;
    const c = await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "getContribution", args: [1n, copied.digest] });
    expect(c.contributor).toBe(erin!.address);
    expect(c.id).toBe(copied.id);
    expect(copied.reassigned).toBe(1);
    const daveBonded = await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "bondedOf", args: [dave!.address] });
    expect(daveBonded).toBe(copied.daveBondedBefore);
    // nothing credited to the copier for it: its bond went to the treasury
    expect(await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "owed", args: [dave!.address] })).toBe(copied.daveOwedBefore);
  });

  it("refuses a bond above the contributor's maxBond and a fee above the buyer's maxFee", async () => {
    const [, , , , dave, , , , , ivan] = chain.users;
    const fresh = itemOf(new TextEncoder().encode("a new item, bounded bond"));
    const err = await dave!.contribute({ datanetId: 1n, items: [fresh], maxBond: parseEther("10") - 1n }).catch((e: unknown) => e);
    expect((err as ContractRevertError).errorName).toBe("DatanetBondAboveMax");
    const feeErr = await ivan!.buyAccess({ datanetId: 2n, versionId: 1n, maxFee: parseEther("5") - 1n }).catch((e: unknown) => e);
    expect((feeErr as ContractRevertError).errorName).toBe("DatanetFeeAboveMax");
  });

  it("refuses a relayed batch whose items differ from the signed ones", async () => {
    const [, alice, , , , , frank] = chain.users;
    const signed = await frank!.signContributionBatch({ datanetId: 1n, items: [itemOf(new TextEncoder().encode("signed"))] });
    const forged = { ...signed, items: `0x${"11".repeat(32)}${"0000000000000005"}` as Hex };
    const err = await alice!.relayContributionBatch(forged).catch((e: unknown) => e);
    expect((err as ContractRevertError).errorName).toBe("DatanetBadSignature");
  });

  it("decodes a contract's custom error", async () => {
    const [, alice, bob] = chain.users;
    const err = await alice!
      .transfer({ to: bob!.walletClient!.account.address, amount: parseEther("1000000000") })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractRevertError);
    expect((err as ContractRevertError).errorName).toBe("ERC20InsufficientBalance");
  });
});

describe("indexer against the chain", () => {
  it("serves every OPEN holder with the chain's balance, delegate and votes", async () => {
    await indexer.synced();
    const token = chain.deployment.contracts.OpenToken as Address;
    const rows = await allRows<{ address: Hex; balance: string; delegate: Hex | null; votes: string }>(
      indexer.graphqlUrl,
      "accounts",
      "address balance delegate votes",
    );
    const logs = await chain.publicClient.getLogs({
      address: token,
      event: parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)"),
      fromBlock: 0n,
    });
    const holders = new Set(logs.flatMap((l) => [l.args.from!, l.args.to!]).filter((a) => a !== zeroAddress));
    expect(new Set(rows.map((r) => addr(r.address)))).toEqual(new Set([...holders].map(addr)));
    let total = 0n;
    for (const r of rows) {
      const [balance, delegate, votes] = await Promise.all([
        chain.publicClient.readContract({ address: token, abi: openTokenAbi, functionName: "balanceOf", args: [r.address] }),
        chain.publicClient.readContract({ address: token, abi: openTokenAbi, functionName: "delegates", args: [r.address] }),
        chain.publicClient.readContract({ address: token, abi: openTokenAbi, functionName: "getVotes", args: [r.address] }),
      ]);
      expect(BigInt(r.balance), r.address).toBe(balance);
      expect(r.delegate ? addr(r.delegate) : zeroAddress, r.address).toBe(delegate);
      expect(BigInt(r.votes), r.address).toBe(votes);
      total += balance;
    }
    expect(total).toBe(await chain.publicClient.readContract({ address: token, abi: openTokenAbi, functionName: "totalSupply" }));
  });

  it("serves exactly one transfer row per Transfer log", async () => {
    const token = chain.deployment.contracts.OpenToken as Address;
    const logs = await chain.publicClient.getLogs({
      address: token,
      event: parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)"),
      fromBlock: 0n,
    });
    const rows = await allRows<{ txHash: Hex; amount: string; from: Hex; to: Hex; blockNumber: string }>(
      indexer.graphqlUrl,
      "transfers",
      "txHash amount from to blockNumber",
    );
    const key = (tx: string, from: string, to: string, v: bigint) => `${tx}:${addr(from)}:${addr(to)}:${v}`;
    expect(rows.map((r) => key(r.txHash, r.from, r.to, BigInt(r.amount))).sort()).toEqual(
      logs.map((l) => key(l.transactionHash, l.args.from!, l.args.to!, l.args.value!)).sort(),
    );
  });

  it("serves the Timelock's operations, roles and delay as the chain has them", async () => {
    const timelock = chain.deployment.contracts.TimelockController as Address;
    const read = <T>(functionName: string, args: readonly unknown[] = []) =>
      chain.publicClient.readContract({ address: timelock, abi: timelockControllerAbi, functionName, args } as never) as Promise<T>;
    const ops = await allRows<{ id: Hex; status: string; calls: number }>(indexer.graphqlUrl, "timelockOperations", "id status calls");
    expect(ops.length).toBe(2); // the bootstrap batch and the delay change
    for (const op of ops) expect(await read<boolean>("isOperationDone", [op.id])).toBe(op.status === "executed");
    const scheduled = await chain.publicClient.getContractEvents({
      address: timelock, abi: timelockControllerAbi, eventName: "CallScheduled", fromBlock: 0n,
    });
    for (const op of ops) expect(op.calls).toBe(scheduled.filter((l) => l.args.id === op.id).length);
    const roles = await allRows<{ role: Hex; account: Hex; active: boolean }>(indexer.graphqlUrl, "roleMembers", "role account active");
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) expect(await read<boolean>("hasRole", [r.role, r.account]), `${r.role} ${r.account}`).toBe(r.active);
    const params = await allRows<{ name: string; value: string }>(indexer.graphqlUrl, "parameters", "name value");
    expect(params.find((p) => p.name === "minDelay")?.value).toBe(String(await read<bigint>("getMinDelay")));
  });

  it("serves every Datanet as the chain has it", async () => {
    const registry = chain.deployment.contracts.DatanetRegistry as Address;
    const rows = await allRows<{
      id: string; owner: Hex; state: string; dataType: string; approvedCount: number; versionCount: number;
      bond: string; validatorGated: boolean; openAccess: boolean; accessFee: string; contributionCount: number;
    }>(indexer.graphqlUrl, "datanets", "id owner state dataType approvedCount versionCount bond validatorGated openAccess accessFee contributionCount");
    const count = await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "datanetCount" });
    expect(rows.length).toBe(Number(count));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      const d = await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "getDatanet", args: [BigInt(r.id)] });
      expect(addr(r.owner)).toBe(d.owner);
      expect(r.state).toBe(["None", "Draft", "Published", "Archived"][d.state]);
      expect(r.dataType).toBe(["Text", "Code", "Image", "Audio", "Video", "Tabular", "Other"][d.dataType]);
      expect(r.approvedCount).toBe(Number(d.approvedCount));
      expect(r.versionCount).toBe(d.versionCount);
      expect(BigInt(r.bond)).toBe(d.rules.bond);
      expect(r.validatorGated).toBe(d.rules.validatorGated);
      expect(r.openAccess).toBe(d.rules.openAccess);
      expect(BigInt(r.accessFee)).toBe(d.rules.accessFee);
    }
  });

  it("serves every contribution and verdict as the chain has them", async () => {
    const registry = chain.deployment.contracts.DatanetRegistry as Address;
    const rows = await allRows<{ id: string; datanetId: string; digest: Hex; contributor: Hex; size: number; status: string; relayer: Hex | null }>(
      indexer.graphqlUrl,
      "contributions",
      "id datanetId digest contributor size status relayer",
    );
    // ids are not dense: an item taken over by an earlier commitment keeps its id and leaves its new one unused
    const submitted = await chain.publicClient.getContractEvents({ address: registry, abi: datanetRegistryAbi, eventName: "ContributionSubmitted", fromBlock: 0n });
    expect(rows.length).toBe(submitted.length);
    expect(rows.some((r) => BigInt(r.id) === copied.id && addr(r.contributor) === chain.users[5]!.address)).toBe(true);
    for (const r of rows) {
      const c = await chain.publicClient.readContract({
        address: registry, abi: datanetRegistryAbi, functionName: "getContribution", args: [BigInt(r.datanetId), r.digest],
      });
      expect(BigInt(r.id)).toBe(c.id);
      expect(addr(r.contributor)).toBe(c.contributor);
      expect(r.size).toBe(c.size);
      expect(r.status).toBe(["None", "Pending", "Approved", "Rejected"][c.status]);
    }
    expect(rows.filter((r) => r.relayer !== null).length).toBeGreaterThan(0); // the gasless batch
    const verdicts = await allRows<{ approved: boolean }>(indexer.graphqlUrl, "validations", "approved");
    const [approvedLogs, rejectedLogs] = await Promise.all([
      chain.publicClient.getContractEvents({ address: registry, abi: datanetRegistryAbi, eventName: "ContributionApproved", fromBlock: 0n }),
      chain.publicClient.getContractEvents({ address: registry, abi: datanetRegistryAbi, eventName: "ContributionRejected", fromBlock: 0n }),
    ]);
    expect(verdicts.filter((v) => v.approved).length).toBe(approvedLogs.length);
    expect(verdicts.filter((v) => !v.approved).length).toBe(rejectedLogs.length);
    const validators = await allRows<{ datanetId: string; validator: Hex; enabled: boolean }>(indexer.graphqlUrl, "datanetValidators", "datanetId validator enabled");
    for (const v of validators) {
      expect(await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "isValidator", args: [BigInt(v.datanetId), v.validator] })).toBe(v.enabled);
    }
    for (const b of await allRows<{ account: Hex; owed: string }>(indexer.graphqlUrl, "registryBalances", "account owed")) {
      expect(BigInt(b.owed)).toBe(await chain.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "owed", args: [b.account] }));
    }
  });

  it("rebuilds every version root from events and flags the wrong one", async () => {
    const registry = chain.deployment.contracts.DatanetRegistry as Address;
    const rows = await allRows<{ datanetId: string; versionId: string; root: Hex; count: string; computedRoot: Hex | null; rootMatches: boolean }>(
      indexer.graphqlUrl,
      "versions",
      "datanetId versionId root count computedRoot rootMatches",
    );
    expect(rows.length).toBe(4);
    for (const r of rows) {
      const v = await chain.publicClient.readContract({
        address: registry, abi: datanetRegistryAbi, functionName: "getVersion", args: [BigInt(r.datanetId), BigInt(r.versionId)],
      });
      expect(r.root).toBe(v.root);
      expect(BigInt(r.count)).toBe(v.count);
    }
    const wrong = rows.filter((r) => !r.rootMatches);
    expect(wrong.map((r) => r.root)).toEqual([`0x${"ab".repeat(32)}`]);
    for (const r of rows.filter((x) => x.rootMatches)) expect(r.computedRoot).toBe(r.root);
  });

  it("serves access grants as the chain has them", async () => {
    const registry = chain.deployment.contracts.DatanetRegistry as Address;
    const rows = await allRows<{ datanetId: string; versionId: string; account: Hex; status: string }>(
      indexer.graphqlUrl, "accessGrants", "datanetId versionId account status",
    );
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["granted", "requested"]));
    for (const r of rows) {
      const has = await chain.publicClient.readContract({
        address: registry, abi: datanetRegistryAbi, functionName: "hasAccess", args: [BigInt(r.datanetId), BigInt(r.versionId), r.account],
      });
      expect(has, `${r.datanetId}/${r.versionId} ${r.account}`).toBe(r.status === "granted");
    }
  });

  it("serves every model and revision as the chain has them", async () => {
    const registry = chain.deployment.contracts.ModelRegistry as Address;
    const rows = await allRows<{ id: string; owner: Hex; adapterDigest: Hex; pricePer1kTokens: string; ownerBps: number; revisionCount: number; datasets: unknown }>(
      indexer.graphqlUrl, "models", "id owner adapterDigest pricePer1kTokens ownerBps revisionCount datasets",
    );
    expect(rows.length).toBe(Number(await chain.publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "modelCount" })));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const m = await chain.publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "getModel", args: [BigInt(r.id)] });
      const owner = await chain.publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "ownerOf", args: [BigInt(r.id)] });
      expect(addr(r.owner)).toBe(owner);
      expect(r.adapterDigest).toBe(m.adapterDigest);
      expect(BigInt(r.pricePer1kTokens)).toBe(m.pricePer1kTokens);
      expect(r.ownerBps).toBe(m.ownerBps);
      expect(r.revisionCount).toBe(m.revisionCount);
      expect(r.datasets).toEqual(m.datasets.map((d) => ({ datanetId: d.datanetId.toString(), versionId: d.versionId.toString() })));
    }
    const revisions = await allRows<{ modelId: string; revision: number; adapterDigest: Hex; manifestDigest: Hex }>(
      indexer.graphqlUrl, "modelRevisions", "modelId revision adapterDigest manifestDigest",
    );
    expect(revisions.length).toBe(rows.reduce((n, r) => n + r.revisionCount, 0));
    for (const r of revisions) {
      const [a, m] = await chain.publicClient.readContract({
        address: registry, abi: modelRegistryAbi, functionName: "revisionOf", args: [BigInt(r.modelId), r.revision],
      });
      expect([r.adapterDigest, r.manifestDigest]).toEqual([a, m]);
    }
  });

  it("serves operators and delegations as the staking registry has them", async () => {
    const staking = chain.deployment.contracts.StakingRegistry as Address;
    const read = <T>(functionName: string, args: readonly unknown[]) =>
      chain.publicClient.readContract({ address: staking, abi: stakingRegistryAbi, functionName, args } as never) as Promise<T>;
    const ops = await allRows<{ address: Hex; role: string; selfStake: string; delegatedStake: string }>(
      indexer.graphqlUrl, "operators", "address role selfStake delegatedStake",
    );
    expect(ops.length).toBe(2);
    for (const o of ops) {
      const info = await read<{ role: number }>("operatorOf", [o.address]);
      expect(o.role).toBe(["None", "Agent", "Node", "Validator"][info.role]);
      const pool = await read<{ activeAssets: bigint }>("poolOf", [o.address]);
      expect(BigInt(o.selfStake) + BigInt(o.delegatedStake)).toBe(pool.activeAssets);
    }
    const dels = await allRows<{ delegator: Hex; operator: Hex; amount: string; shares: string; self: boolean }>(
      indexer.graphqlUrl, "delegations", "delegator operator amount shares self",
    );
    expect(dels.filter((d) => !d.self).length).toBe(1);
    for (const d of dels) {
      expect(BigInt(d.amount)).toBe(await read<bigint>("stakeValue", [d.delegator, d.operator]));
      expect(BigInt(d.shares)).toBe((await read<{ shares: bigint }>("positionOf", [d.delegator, d.operator])).shares);
    }
    // The council's pause (paused and lifted in beforeAll) as the registry has it.
    const params = (await allRows<{ contract: Hex; name: string; value: string }>(indexer.graphqlUrl, "parameters", "contract name value"))
      .filter((p) => getAddress(p.contract) === getAddress(staking));
    const param = (name: string) => params.find((p) => p.name === name)?.value;
    const council = await read<Address>("securityCouncil", []);
    expect(council).toBe(addr(chain.users[5]!.walletClient!.account.address));
    expect(param("pausedUntil")).toBe(String(await read<bigint>("pausedUntil", [])));
    expect(await read<bigint>("pausedUntil", [])).toBeGreaterThan(0n);
    expect(param("pauseSpent")).toBe(String(await read<boolean>("pauseSpent", [])));
    expect(param("pauseSpent")).toBe("true");
    expect(addr(param("pausedBy")!)).toBe(council);
    expect(addr(param("unpausedBy")!)).toBe(council);
    expect(addr(param("securityCouncil")!)).toBe(council);
    const accounts = await allRows<{ address: Hex; stakedVotes: string }>(indexer.graphqlUrl, "accounts", "address stakedVotes");
    const now = (await chain.publicClient.getBlock()).timestamp;
    for (const a of accounts.filter((x) => x.stakedVotes !== "0")) {
      expect(BigInt(a.stakedVotes)).toBe(await read<bigint>("getPastStakedVotes", [a.address, now - 1n]));
    }
  });

  it("serves channels, redemptions and their splits as the chain has them", async () => {
    const channels = chain.deployment.contracts.PaymentChannels as Address;
    const rows = await allRows<{ id: string; payer: Hex; node: Hex; deposit: string; redeemed: string; status: string }>(
      indexer.graphqlUrl, "channels", "id payer node deposit redeemed status",
    );
    expect(rows.length).toBe(Number(await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "channelCount" })));
    for (const r of rows) {
      const c = await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "channel", args: [BigInt(r.id)] });
      expect([addr(r.payer), addr(r.node), BigInt(r.deposit), BigInt(r.redeemed)]).toEqual([c.payer, c.node, c.deposit, c.redeemed]);
      expect(r.status === "settled").toBe(c.settled);
    }
    const reds = await allRows<{ amount: string; treasuryPart: string; nodePart: string; ownerPart: string; poolPart: string }>(
      indexer.graphqlUrl, "redemptions", "amount treasuryPart nodePart ownerPart poolPart",
    );
    const logs = await chain.publicClient.getContractEvents({ address: channels, abi: paymentChannelsAbi, eventName: "VoucherRedeemed", fromBlock: 0n });
    expect(reds.length).toBe(logs.length);
    expect(reds.length).toBeGreaterThan(0);
    for (const r of reds) {
      expect(BigInt(r.treasuryPart) + BigInt(r.nodePart) + BigInt(r.ownerPart) + BigInt(r.poolPart)).toBe(BigInt(r.amount));
    }
  });

  it("serves receipt announcements as the chain has them", async () => {
    const channels = chain.deployment.contracts.PaymentChannels as Address;
    const rows = await allRows<{ id: string; node: Hex; epoch: string; digest: Hex; cid: string }>(indexer.graphqlUrl, "receiptAnnouncements", "id node epoch digest cid");
    const logs = await chain.publicClient.getContractEvents({ address: channels, abi: paymentChannelsAbi, eventName: "ReceiptsAnnounced", fromBlock: 0n });
    expect(rows.length).toBe(logs.length);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const onChain = await chain.publicClient.readContract({ address: channels, abi: paymentChannelsAbi, functionName: "announcement", args: [addr(r.node), BigInt(r.epoch)] });
      expect(r.digest).toBe(onChain);
      expect(r.cid).toBe(cidFromDigest(onChain));
      expect(await store.has(r.cid)).toBe(true);
    }
  });

  it("serves payout roots, posters and claims as the distributor has them", async () => {
    const distributor = chain.deployment.contracts.RewardsDistributor as Address;
    const read = <T>(functionName: string, args: readonly unknown[] = []) =>
      chain.publicClient.readContract({ address: distributor, abi: rewardsDistributorAbi, functionName, args } as never) as Promise<T>;
    const roots = await allRows<{ index: string; root: Hex; total: string; status: string; epoch: string }>(
      indexer.graphqlUrl, "payoutRoots", "index root total status epoch",
    );
    const [count] = await read<readonly [bigint, bigint]>("rootCounts");
    expect(roots.length).toBe(Number(count));
    expect(roots.length).toBeGreaterThan(0);
    const STATUS = ["none", "pending", "disputed", "final", "rejected", "superseded"];
    for (const r of roots) {
      const rec = await read<{ root: Hex; total: bigint }>("rootRecord", [BigInt(r.index)]);
      expect([r.root, BigInt(r.total)]).toEqual([rec.root, rec.total]);
      expect(r.status).toBe(STATUS[await read<number>("rootStatus", [BigInt(r.index)])]);
    }
    const claims = await allRows<{ account: Hex; cumulativeAmount: string }>(indexer.graphqlUrl, "claims", "account cumulativeAmount");
    expect(claims.length).toBeGreaterThan(0);
    for (const c of claims) expect(BigInt(c.cumulativeAmount)).toBe(await read<bigint>("claimed", [c.account]));
    const posters = await allRows<{ address: Hex; allowed: boolean; freeBond: string }>(indexer.graphqlUrl, "posters", "address allowed freeBond");
    for (const p of posters) {
      const [, allowed, free] = await read<readonly [number, boolean, bigint, bigint]>("posterInfo", [p.address]);
      expect([p.allowed, BigInt(p.freeBond)]).toEqual([allowed, free]);
    }
  });

  it("serves proposals with their tallies and every vote", async () => {
    const governor = chain.deployment.contracts.LineageGovernor as Address;
    const proposals = await allRows<{ id: string; forVotes: string; againstVotes: string; abstainVotes: string; proposer: Hex }>(
      indexer.graphqlUrl, "proposals", "id forVotes againstVotes abstainVotes proposer",
    );
    expect(proposals.length).toBe(1);
    for (const p of proposals) {
      const [against, forV, abstain] = await chain.publicClient.readContract({
        address: governor, abi: lineageGovernorAbi, functionName: "proposalVotes", args: [BigInt(p.id)],
      });
      expect([BigInt(p.againstVotes), BigInt(p.forVotes), BigInt(p.abstainVotes)]).toEqual([against, forV, abstain]);
      expect(addr(p.proposer)).toBe(await chain.publicClient.readContract({
        address: governor, abi: lineageGovernorAbi, functionName: "proposalProposer", args: [BigInt(p.id)],
      }));
    }
    const votes = await allRows<{ voter: Hex; proposalId: string }>(indexer.graphqlUrl, "votes", "voter proposalId");
    expect(votes.length).toBe(3);
    for (const v of votes) {
      expect(await chain.publicClient.readContract({
        address: governor, abi: lineageGovernorAbi, functionName: "hasVoted", args: [BigInt(v.proposalId), v.voter],
      })).toBe(true);
    }
  });

  it("serves exactly the public schema (subgraph-schema.graphql)", async () => {
    const diffs = diffSchema(parseSdl(readFileSync(SCHEMA_FILE, "utf8")), await servedEntities(indexer.graphqlUrl));
    expect(diffs).toEqual([]);
  });
});

// After every check above (it adds a vote and a root): the merit proof the indexer serves, used for a real vote.
describe("merit proofs served by the indexer (GET /merit/:account)", () => {
  const governorOf = () => chain.deployment.contracts.LineageGovernor as Address;
  const distributorOf = () => chain.deployment.contracts.RewardsDistributor as Address;
  let proposalId: bigint;
  let snapshot: bigint;

  it("serves a seeded account's proof, which verifies against the on-chain root and counts merit in a real vote", async () => {
    await indexer.synced();
    const [, , , , dave] = chain.users;
    const voter = dave!.walletClient!.account.address;
    const [p] = await allRows<{ id: string }>(indexer.graphqlUrl, "proposals", "id");
    proposalId = BigInt(p!.id);
    snapshot = await chain.publicClient.readContract({ address: governorOf(), abi: lineageGovernorAbi, functionName: "proposalSnapshot", args: [proposalId] });

    // The raw answer: JSON with the Governor's params.
    const res = await fetch(`${indexer.url}/merit/${voter.toLowerCase()}?at=${snapshot}`);
    expect(res.status).toBe(200);
    const served = parseMeritProof(await res.json()); // zod + leaf/proof/params checked locally
    const [root, epochEnd] = await chain.publicClient.readContract({
      address: distributorOf(), abi: rewardsDistributorAbi, functionName: "finalRootAt", args: [snapshot],
    });
    expect(served.root).toBe(root);
    expect(served.epochEnd).toBe(epochEnd);
    expect(served.merit).toBe(parseEther("300"));
    expect(verifyPayoutProof(root, { account: voter, cumulativeAmount: served.cumulativeAmount, merit: served.merit }, served.proof)).toBe(true);
    expect(await chain.publicClient.readContract({
      address: distributorOf(), abi: rewardsDistributorAbi, functionName: "leafHash", args: [voter, served.cumulativeAmount, served.merit],
    })).toBe(served.leaf);
    // The document behind it is the one the seed published, named on-chain by the root's inputsCid.
    const [rootRow] = await allRows<{ inputsCid: string; root: Hex }>(indexer.graphqlUrl, "payoutRoots", "inputsCid root");
    expect(rootRow!.inputsCid).toBe(served.inputsCid);
    expect((await fetchPayoutTreeDocument(store, served.inputsCid)).root).toBe(root);

    // The Governor counts it: the merit part is positive and the vote weighs OPEN + staked OPEN + merit.
    const read = <T>(functionName: string, args: readonly unknown[]) =>
      chain.publicClient.readContract({ address: governorOf(), abi: lineageGovernorAbi, functionName, args } as never) as Promise<T>;
    const base = await read<bigint>("getVotes", [voter, snapshot]);
    const meritVotes = await read<bigint>("meritVotes", [voter, snapshot, served.params]);
    expect(meritVotes).toBeGreaterThan(0n);
    const [, forBefore] = await read<readonly [bigint, bigint, bigint]>("proposalVotes", [proposalId]);
    // Opt-in: the SDK first caches the snapshot's merit record (it is not the Governor's cache hint yet).
    expect(await read<bigint>("meritCacheHint", [])).not.toBe(snapshot);
    const vote = await dave!.castMeritVote({ indexerUrl: indexer.url, proposalId, support: "for", reason: "merit", cacheSnapshot: true });
    const [cachedEv] = parseEventLogs({ abi: lineageGovernorAbi, eventName: "MeritSnapshotCached", logs: vote.cached!.receipt.logs });
    expect(cachedEv!.args.timepoint).toBe(snapshot);
    expect(cachedEv!.args.root).toBe(root);
    expect(await read<bigint>("meritCacheHint", [])).toBe(snapshot);
    expect(vote.proof.params).toBe(served.params);
    expect(vote.weight).toBe(base + meritVotes);
    const [, forAfter] = await read<readonly [bigint, bigint, bigint]>("proposalVotes", [proposalId]);
    expect(forAfter - forBefore).toBe(base + meritVotes);
    const [ev] = parseEventLogs({ abi: lineageGovernorAbi, eventName: "VoteCastWithParams", logs: vote.receipt.logs });
    expect(ev!.args.params).toBe(encodeAbiParameters([{ type: "bytes32" }], [served.leaf]));
  });

  it("answers 400 for a bad address and 404 for an account without a leaf", async () => {
    const bad = await fetch(`${indexer.url}/merit/0x1234`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/address/);
    const [, alice] = chain.users;
    const none = await fetch(`${indexer.url}/merit/${alice!.walletClient!.account.address}?at=${snapshot}`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toMatch(/no leaf/);
  });

  it("a root whose published document was tampered with gives 502; the root final at the snapshot still serves", async () => {
    const [, , , carol, , erin, frank] = chain.users;
    const [dave] = chain.users.slice(4);
    const seeded = await fetchPayoutTreeDocument(store, (await allRows<{ inputsCid: string }>(indexer.graphqlUrl, "payoutRoots", "inputsCid"))[0]!.inputsCid);
    // Epoch 2: same amounts, more merit for erin. The poster publishes a tampered document (frank's merit inflated)
    // and posts the honest root: the document no longer matches the on-chain root.
    const is = (e: { account: Address }, who: typeof erin) => isAddressEqual(e.account, who!.walletClient!.account.address);
    const entries = seeded.tree.entries.map((e) => ({ ...e, merit: is(e, erin) ? e.merit * 2n : e.merit }));
    const honest = PayoutTree.build(entries);
    const tampered = PayoutTree.build(entries.map((e) => (is(e, frank) ? { ...e, merit: e.merit * 100n } : e)));
    expect(tampered.root).not.toBe(honest.root);
    expect(honest.root).not.toBe(seeded.root);
    const now = (await chain.publicClient.getBlock()).timestamp;
    const doc = await publishPayoutTree(store, { chainId: chain.deployment.chainId, distributor: distributorOf(), epoch: 2n, epochEnd: now, tree: tampered });
    const posted = await carol!.postRoot({ epoch: 2n, epochEnd: now, tree: honest, inputsCid: doc.cid });
    const [window] = await chain.publicClient.readContract({ address: distributorOf(), abi: rewardsDistributorAbi, functionName: "parameters" });
    await rpcIncreaseTime(Number(window) + 1);
    const finalized = await carol!.finalizeRoot({ index: posted.index });
    const finalAt = (await chain.publicClient.getBlock({ blockNumber: finalized.receipt.blockNumber })).timestamp;
    await indexer.synced();

    // At the finalization time (a timepoint after the route's reused latest block makes it read the chain again),
    // then without `at` (the latest final root).
    for (const query of [`?at=${finalAt}`, ""]) {
      const res = await fetch(`${indexer.url}/merit/${frank!.walletClient!.account.address}${query}`);
      const body = (await res.json()) as { error: string; rootIndex: string; inputsCid: string };
      expect(res.status, `${query || "latest"} (finalized at ${finalAt}): ${JSON.stringify(body)}`).toBe(502);
      expect(body.error).toMatch(/does not match the on-chain root/);
      expect([body.rootIndex, body.inputsCid]).toEqual([posted.index.toString(), doc.cid]);
    }
    // Voting on the open proposal uses the root final at its snapshot (epoch 1), which still serves.
    const atSnapshot = await fetch(`${indexer.url}/merit/${dave!.walletClient!.account.address}?at=${snapshot}`);
    expect(atSnapshot.status).toBe(200);
    expect(parseMeritProof(await atSnapshot.json()).rootIndex).toBe(posted.index - 1n);
  });
});

async function rpcIncreaseTime(seconds: number): Promise<void> {
  const { rpc } = await import("./harness.ts");
  await rpc(chain.anvil.rpcUrl, [{ method: "evm_increaseTime", params: [seconds] }, { method: "evm_mine", params: [] }]);
}

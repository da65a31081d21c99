// SPDX-License-Identifier: MIT
/**
 * End to end: anvil on a free port, every contract deployed by script/Deploy.s.sol, every SDK flow run, the indexer
 * started on PGlite; then every entity served over GraphQL is checked against the chain.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, parseAbiItem, parseEther, zeroAddress, type Address, type Hex } from "viem";
import { openTokenAbi, timelockControllerAbi } from "../../sdk/abi/index.ts";
import { ContractRevertError, InvalidParameterError } from "../../sdk/client/index.ts";
import { startIndexer, type Indexer } from "../../scripts/devnet/indexer.ts";
import { seed } from "../../scripts/devnet/seed.ts";
import { diffSchema, parseSdl, SCHEMA_FILE, servedEntities } from "../../scripts/subgraph-schema.ts";
import { allRows, bootChain, type Chain } from "./harness.ts";

let chain: Chain;
let indexer: Indexer;
const addr = (a: string) => getAddress(a);

beforeAll(async () => {
  chain = await bootChain();
  await seed({ rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment });
  // Flows beyond the seed: approval, a transfer of an approved amount.
  const [, alice, bob] = chain.users;
  await alice!.approve({ spender: bob!.walletClient!.account.address, amount: parseEther("500") });
  indexer = await startIndexer({
    deploymentFile: chain.deploymentFile,
    deployment: chain.deployment,
    rpcUrl: chain.anvil.rpcUrl,
    pgliteDir: join(chain.dir, "pglite"),
    logFile: join(chain.dir, "indexer.log"),
  });
});

afterAll(async () => {
  await indexer?.stop();
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
    expect(ops.length).toBe(2); // the demo distribution batch and the delay change
    for (const op of ops) expect(await read<boolean>("isOperationDone", [op.id])).toBe(op.status === "executed");
    expect(ops.map((o) => o.calls).sort((a, b) => a - b)).toEqual([1, chain.users.length - 1]);
    const roles = await allRows<{ role: Hex; account: Hex; active: boolean }>(indexer.graphqlUrl, "roleMembers", "role account active");
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) expect(await read<boolean>("hasRole", [r.role, r.account]), `${r.role} ${r.account}`).toBe(r.active);
    const params = await allRows<{ name: string; value: string }>(indexer.graphqlUrl, "parameters", "name value");
    expect(params.find((p) => p.name === "minDelay")?.value).toBe(String(await read<bigint>("getMinDelay")));
  });

  it("serves exactly the public schema (subgraph-schema.graphql)", async () => {
    const diffs = diffSchema(parseSdl(readFileSync(SCHEMA_FILE, "utf8")), await servedEntities(indexer.graphqlUrl));
    expect(diffs).toEqual([]);
  });
});

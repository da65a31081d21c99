// SPDX-License-Identifier: MIT
/**
 * Test helper (not part of the public surface): a real anvil on a free port with the real OpenToken and
 * DatanetRegistry (forge artifacts in `out/`), and a Datanet seeded with contributions, a published version
 * and access grants. Used by the gateway and ai/data tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  parseEventLogs,
  type PublicClient,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { buildVersionTree, contributionCommitment, packItems, randomSalt } from "../datanet/index.ts";
import { foundry } from "viem/chains";
import { foundryBin } from "../../scripts/foundry.mjs";

/** anvil's well-known development keys (public; never use outside a local chain). */
const DEV_KEYS: Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];

export interface TestChain {
  rpcUrl: string;
  chainId: number;
  client: PublicClient;
  accounts: LocalAccount[];
  wallet(account: LocalAccount): WalletClient;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Start anvil on a free loopback port. */
export async function startTestChain(): Promise<TestChain> {
  const port = await freePort();
  // The platform binary: the npm wrapper in node_modules/.bin survives SIGTERM and leaves anvil running.
  const proc: ChildProcess = spawn(foundryBin("anvil"), ["--port", String(port), "--host", "127.0.0.1", "--silent"], { stdio: "ignore" });
  const rpcUrl = `http://127.0.0.1:${port}`;
  const client = createPublicClient({ chain: foundry, transport: http(rpcUrl) }) as PublicClient;
  for (let i = 0; ; i++) {
    try {
      await client.getChainId();
      break;
    } catch (e) {
      if (i > 100 || proc.exitCode !== null) throw new Error(`anvil did not start: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const accounts = DEV_KEYS.map((k) => privateKeyToAccount(k));
  return {
    rpcUrl,
    chainId: foundry.id,
    client,
    accounts,
    wallet: (account) => createWalletClient({ account, chain: foundry, transport: http(rpcUrl) }),
    stop: async () => {
      proc.kill("SIGTERM");
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once("exit", r)));
    },
  };
}

async function artifact(name: string): Promise<{ abi: Abi; bytecode: Hex }> {
  const path = join(process.cwd(), "out", `${name}.sol`, `${name}.json`);
  const json = JSON.parse(await readFile(path, "utf8").catch(() => {
    throw new Error(`missing forge artifact ${path}: run \`npx forge build\` first`);
  })) as { abi: Abi; bytecode: { object: Hex } };
  return { abi: json.abi, bytecode: json.bytecode.object };
}

export interface SeededDatanet {
  registry: Address;
  token: Address;
  registryAbi: Abi;
  datanetId: bigint;
  versionId: bigint;
  root: Hex;
  /** (contributionId, digest, contributor) leaves in contribution order. */
  leaves: Array<[bigint, Hex, Address]>;
}

/**
 * Deploy OpenToken + DatanetRegistry (account 0 = owner, governance and treasury), create and publish a
 * Datanet owned by account 0, contribute `items` (digest, size) from account 1, publish version 1 with the
 * StandardMerkleTree root of (id, digest, contributor), and grant version 1 to `grantees`.
 */
export async function seedDatanet(chain: TestChain, items: Array<{ digest: Hex; size: number }>, grantees: Address[] = []): Promise<SeededDatanet> {
  const [owner, contributor] = chain.accounts as [LocalAccount, LocalAccount];
  const ow = chain.wallet(owner);
  const cw = chain.wallet(contributor);
  const send = async (w: WalletClient, address: Address, abi: Abi, functionName: string, args: unknown[]) => {
    const hash = await w.writeContract({ address, abi, functionName, args, chain: foundry, account: w.account! });
    const r = await chain.client.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`${functionName} reverted`);
    return r;
  };
  const deploy = async (name: string, args: unknown[]): Promise<{ address: Address; abi: Abi }> => {
    const { abi, bytecode } = await artifact(name);
    const hash = await ow.deployContract({ abi, bytecode, args, chain: foundry, account: owner });
    const r = await chain.client.waitForTransactionReceipt({ hash });
    return { address: r.contractAddress!, abi };
  };
  const token = await deploy("OpenToken", [owner.address]);
  const reg = await deploy("DatanetRegistry", [token.address, owner.address, owner.address]);
  const rules = { maxItemSize: 0, dailyLimit: 0, bond: 0n, validatorGated: false, acceptStakedValidators: false, openAccess: false, accessFee: 0n };
  await send(ow, reg.address, reg.abi, "createDatanet", ["ipfs://test", 0, 1000n, rules]);
  const datanetId = 1n;
  await send(ow, token.address, token.abi, "approve", [reg.address, 10n ** 24n]);
  await send(ow, reg.address, reg.abi, "publishDatanet", [datanetId]);
  const leaves: Array<[bigint, Hex, Address]> = [];
  for (const it of items) {
    const { commitment, item, salt } = oneItemCommitment(contributor.address, datanetId, it);
    await send(cw, reg.address, reg.abi, "commitContribution", [commitment]);
    const r = await send(cw, reg.address, reg.abi, "contributeBatch", [datanetId, item, 0n, salt]);
    const [ev] = parseEventLogs({ abi: reg.abi, logs: r.logs, eventName: "ContributionSubmitted" }) as unknown as Array<{ args: { contributionId: bigint } }>;
    leaves.push([ev!.args.contributionId, it.digest, contributor.address]);
  }
  const tree = buildVersionTree(leaves.map(([contributionId, digest, contributor]) => ({ contributionId, digest, contributor })));
  await send(ow, reg.address, reg.abi, "publishVersion", [datanetId, tree.root, BigInt(leaves.length), ""]);
  for (const g of grantees) await send(ow, reg.address, reg.abi, "grantAccess", [datanetId, 1n, g]);
  return { registry: reg.address, token: token.address, registryAbi: reg.abi, datanetId, versionId: 1n, root: tree.root as Hex, leaves };
}

/** One item packed, with a salt and the commitment to reveal it under (commit-reveal, DatanetRegistry). */
function oneItemCommitment(contributor: Address, datanetId: bigint, it: { digest: Hex; size: number }): { commitment: Hex; item: Hex; salt: Hex } {
  const item = packItems([it]);
  const salt = randomSalt();
  return { commitment: contributionCommitment({ contributor, datanetId, itemsHash: keccak256(item), salt }), item, salt };
}

/** Contribute `items` (from account 1) to the seeded Datanet and publish the next version over all approvals. */
export async function publishNextVersion(chain: TestChain, seeded: SeededDatanet, items: Array<{ digest: Hex; size: number }>): Promise<Array<[bigint, Hex, Address]>> {
  const [owner, contributor] = chain.accounts as [LocalAccount, LocalAccount];
  const call = async (account: LocalAccount, functionName: string, args: unknown[]) => {
    const hash = await chain.wallet(account).writeContract({ address: seeded.registry, abi: seeded.registryAbi, functionName, args, chain: foundry, account });
    return chain.client.waitForTransactionReceipt({ hash });
  };
  const leaves = [...seeded.leaves];
  for (const it of items) {
    const { commitment, item, salt } = oneItemCommitment(contributor.address, seeded.datanetId, it);
    await call(contributor, "commitContribution", [commitment]);
    const r = await call(contributor, "contributeBatch", [seeded.datanetId, item, 0n, salt]);
    const [ev] = parseEventLogs({ abi: seeded.registryAbi, logs: r.logs, eventName: "ContributionSubmitted" }) as unknown as Array<{ args: { contributionId: bigint } }>;
    leaves.push([ev!.args.contributionId, it.digest, contributor.address]);
  }
  const tree = buildVersionTree(leaves.map(([contributionId, digest, contributor]) => ({ contributionId, digest, contributor })));
  await call(owner, "publishVersion", [seeded.datanetId, tree.root, BigInt(leaves.length), ""]);
  return leaves;
}

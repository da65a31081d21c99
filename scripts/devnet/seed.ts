// SPDX-License-Identifier: MIT
/**
 * Demo data for a fresh devnet, created through the SDK client (the same flows a dapp uses), by anvil's
 * deterministic accounts 1..9 (funded with OPEN by the deployment's distribution):
 * token votes; two Datanets (a validator-gated one with bonds, an open-access one); direct and gasless (relayed)
 * contributions; approvals and rejections; versions; access requested, granted and bought; a model NFT with a
 * revision; a withdrawal of released bonds.
 */
import type { Logger } from "pino";
import { createPublicClient, createWalletClient, encodeFunctionData, http, numberToHex, parseEther, toBytes, type PublicClient } from "viem";
import { datanetRegistryAbi, lineageGovernorAbi, rewardsDistributorAbi } from "../../sdk/abi/index.ts";
import { encodePayoutTreeDocument, PayoutTree, payoutTreeDocument } from "../../sdk/payout/index.ts";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../../sdk/addresses/index.ts";
import { cidOf, GateIndex, type FsContentStore } from "../../sdk/content/index.ts";
import { createLineageClient, itemOf, type ContributionItem, type LineageClient } from "../../sdk/client/index.ts";
import { ANVIL_KEYS } from "./anvil.ts";

export interface SeedOptions {
  rpcUrl: string;
  deployment: Deployment;
  logger?: Logger;
  /**
   * Content store to put the contributed blobs in (gated Datanets' blobs marked as such for the gateway) and the payout
   * tree's document (its CID is the root's `inputsCid`; without a store the same CID is posted, but nothing serves it).
   */
  store?: FsContentStore;
}

export interface SeedSummary {
  transfers: number;
  delegations: number;
  datanets: number;
  contributions: number;
  versions: number;
  models: number;
  operators: number;
  channels: number;
  roots: number;
  proposals: number;
}

/** Moves the devnet's clock forward (anvil) and mines a block. */
async function increaseTime(rpcUrl: string, seconds: number): Promise<void> {
  for (const [method, params] of [
    ["evm_increaseTime", [numberToHex(seconds)]],
    ["evm_mine", []],
  ] as const) {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await res.json()) as { error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
  }
}

/** A client per demo account (anvil accounts 0..9). */
export function demoClients(rpcUrl: string, deployment: Deployment): LineageClient[] {
  const publicClient = createPublicClient({ transport: http(rpcUrl) }) as PublicClient;
  return ANVIL_KEYS.map((key) =>
    createLineageClient({
      publicClient,
      walletClient: createWalletClient({ account: privateKeyToAccount(key), transport: http(rpcUrl) }),
      deployment,
    }),
  );
}

const MEDICAL_QA = [
  "Q: What is the first-line treatment for uncomplicated hypertension? A: Lifestyle change plus a thiazide, ACE inhibitor, ARB or calcium channel blocker.",
  "Q: Which vitamin deficiency causes scurvy? A: Vitamin C (ascorbic acid).",
  "Q: What does HbA1c measure? A: Average blood glucose over roughly the previous three months.",
  "Q: Normal adult resting heart rate? A: About 60 to 100 beats per minute.",
  "Q: What is the antidote for paracetamol overdose? A: N-acetylcysteine.",
  "Q: Which organ produces insulin? A: The pancreas (beta cells of the islets of Langerhans).",
  "Q: What is a common sign of dehydration in infants? A: A sunken fontanelle and fewer wet nappies.",
  "Q: What blood type is the universal red-cell donor? A: O negative.",
];
const SOLIDITY = [
  "function transfer(address to, uint256 amount) external returns (bool) { _transfer(msg.sender, to, amount); return true; }",
  "error Unauthorized(address caller); modifier onlyOwner() { if (msg.sender != owner) revert Unauthorized(msg.sender); _; }",
  "using SafeERC20 for IERC20; token.safeTransferFrom(msg.sender, address(this), amount);",
  "bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, amount)))); require(MerkleProof.verify(proof, root, leaf));",
  "uint256 shares = totalSupply == 0 ? assets : assets * totalSupply / totalAssets();",
  "event Deposit(address indexed caller, address indexed owner, uint256 assets, uint256 shares);",
];
const blobItem = (text: string): ContributionItem => itemOf(toBytes(text));

/** Puts the blobs in the store; those of a gated Datanet are served only to holders of a grant. */
async function storeBlobs(store: FsContentStore | undefined, texts: readonly string[], gatedDatanet?: bigint): Promise<void> {
  if (!store) return;
  const gates = GateIndex.for(store);
  for (const t of texts) {
    const { digest } = await store.put(toBytes(t));
    if (gatedDatanet !== undefined) await gates.add(digest, gatedDatanet);
  }
}

export async function seed(opts: SeedOptions): Promise<SeedSummary> {
  const [, alice, bob, carol, dave, erin, frank, grace, heidi, ivan] = demoClients(opts.rpcUrl, opts.deployment);
  const users = [alice!, bob!, carol!, dave!, erin!, frank!, grace!, heidi!, ivan!];
  const s: SeedSummary = {
    transfers: 0,
    delegations: 0,
    datanets: 0,
    contributions: 0,
    versions: 0,
    models: 0,
    operators: 0,
    channels: 0,
    roots: 0,
    proposals: 0,
  };
  const log = (msg: string) => opts.logger?.debug(s, `seed: ${msg}`);

  // Token holders activate their votes (self-delegation); ivan delegates to alice; some OPEN changes hands.
  for (const u of users.slice(0, -1)) {
    await u.delegateVotes();
    s.delegations++;
  }
  await ivan!.delegateVotes({ delegatee: alice!.address });
  s.delegations++;
  for (const [i, u] of users.slice(0, 4).entries()) {
    await u.transfer({ to: users[i + 1]!.address, amount: parseEther(String(1_000 * (i + 1))) });
    s.transfers++;
  }
  log("token");

  if (!opts.deployment.contracts.DatanetRegistry) return s;
  const registry = opts.deployment.contracts.DatanetRegistry;

  // Datanet 1: medical Q&A, validator-gated with a 10 OPEN bond, access granted by the owner.
  const d1 = await alice!.createDatanet({
    metadataURI: "ipfs://bafkreimedicalqa",
    dataType: "Text",
    declaredBytes: 5_000_000n,
    rules: { validatorGated: true, bond: parseEther("10") },
  });
  await alice!.publishDatanet({ datanetId: d1.datanetId });
  await alice!.setValidator({ datanetId: d1.datanetId, validator: bob!.address });
  // Datanet 2: Solidity snippets, open (approved at once), access sold for 5 OPEN.
  const d2 = await carol!.createDatanet({
    metadataURI: "ipfs://bafkreisoliditysnippets",
    dataType: "Code",
    declaredBytes: 1_000_000n,
    rules: { openAccess: true, accessFee: parseEther("5") },
  });
  await carol!.publishDatanet({ datanetId: d2.datanetId });
  s.datanets = 2;
  log("datanets");

  // Contributions to Datanet 1: dave and erin directly (bonds approved), frank gaslessly (relayed by alice).
  const med = MEDICAL_QA.map(blobItem);
  await storeBlobs(opts.store, MEDICAL_QA, d1.datanetId);
  await storeBlobs(opts.store, SOLIDITY);
  for (const u of [dave!, erin!, frank!]) await u.approve({ spender: registry, amount: parseEther("100") });
  // Each contribution names the most it bonds per item (here the Datanet's 10 OPEN); a raised bond is refused.
  s.contributions += (await dave!.contribute({ datanetId: d1.datanetId, items: med.slice(0, 3), maxBond: parseEther("10") })).ids.length;
  s.contributions += (await erin!.contribute({ datanetId: d1.datanetId, items: med.slice(3, 5) })).ids.length;
  const signed = await frank!.signContributionBatch({ datanetId: d1.datanetId, items: med.slice(5), maxBond: parseEther("10") });
  s.contributions += (await alice!.relayContributionBatch(signed)).ids.length;
  // Bob validates: approves six, rejects one as low quality and one as malicious.
  await bob!.validateContributions({ datanetId: d1.datanetId, digests: [med[0]!, med[1]!, med[3]!, med[5]!, med[6]!, med[2]!].map((i) => i.digest) });
  await bob!.validateContributions({ datanetId: d1.datanetId, digests: [med[4]!.digest], reject: "LowQuality" });
  await bob!.validateContributions({ datanetId: d1.datanetId, digests: [med[7]!.digest], reject: "Malicious" });
  // Contributions to Datanet 2 (approved at once).
  const sol = SOLIDITY.map(blobItem);
  s.contributions += (await grace!.contribute({ datanetId: d2.datanetId, items: sol.slice(0, 4) })).ids.length;
  s.contributions += (await heidi!.contribute({ datanetId: d2.datanetId, items: sol.slice(4) })).ids.length;
  log("contributions");

  // Versions: Datanet 1 v1 over the first four approvals, v2 over all; Datanet 2 v1.
  const v1 = await alice!.publishVersion({ datanetId: d1.datanetId, metadataCID: "bafkreimedv1", count: 4 });
  await alice!.publishVersion({ datanetId: d1.datanetId, metadataCID: "bafkreimedv2" });
  const v21 = await carol!.publishVersion({ datanetId: d2.datanetId, metadataCID: "bafkreisolv1" });
  s.versions = 3;
  // Access: heidi asks and is granted; ivan's request stays open; heidi buys access to Datanet 2 v1.
  await heidi!.requestAccess({ datanetId: d1.datanetId, versionId: v1.versionId });
  await alice!.grantAccess({ datanetId: d1.datanetId, versionId: v1.versionId, account: heidi!.address });
  await ivan!.requestAccess({ datanetId: d1.datanetId, versionId: v1.versionId });
  await heidi!.buyAccess({ datanetId: d2.datanetId, versionId: v21.versionId, maxFee: parseEther("5") });
  log("versions and access");

  // A model NFT trained on both versions, then a second adapter revision.
  if (opts.deployment.contracts.ModelRegistry) {
    const digest = (t: string) => blobItem(t).digest;
    const m = await heidi!.mintModel({
      baseModelDigest: digest("lineage-tiny-base.gguf"),
      adapterDigest: digest("medcode-adapter-r0.gguf"),
      manifestDigest: digest('{"base":"lineage-tiny","lora":{"r":8}}'),
      datasets: [
        { datanetId: d1.datanetId, versionId: v1.versionId },
        { datanetId: d2.datanetId, versionId: v21.versionId },
      ],
      pricePer1kTokens: parseEther("0.01"),
      ownerBps: 3_000,
      metadataDigest: digest('{"name":"MedCode","description":"Medical Q&A and Solidity assistant"}'),
    });
    await heidi!.publishRevision({
      modelId: m.modelId,
      adapterDigest: digest("medcode-adapter-r1.gguf"),
      manifestDigest: digest('{"base":"lineage-tiny","lora":{"r":16}}'),
    });
    s.models = 1;
    log("models");
  }

  // Staking: grace runs a serving node (10,000 OPEN self-stake), bob a validator; ivan delegates to grace.
  if (opts.deployment.contracts.StakingRegistry && opts.deployment.contracts.PaymentChannels && s.models > 0) {
    await grace!.registerOperator({ role: "Node", metadataURI: "ipfs://bafkreinode-grace" });
    await grace!.stake({ amount: parseEther("10000") });
    await bob!.registerOperator({ role: "Validator", metadataURI: "ipfs://bafkreivalidator-bob" });
    await bob!.stake({ amount: parseEther("10000") });
    await ivan!.delegateStake({ operator: grace!.address, amount: parseEther("5000") });
    s.operators = 2;
    log("staking");

    // Paid inference: erin opens a channel to grace's node for model 1 and pays two vouchers; grace redeems.
    const ch = await erin!.openChannel({ node: grace!.address, modelId: 1n, deposit: parseEther("200") });
    const v1 = await erin!.signVoucher({ channelId: ch.channelId, cumulativeAmount: parseEther("20") });
    await grace!.redeemVoucher(v1);
    const v2 = await erin!.signVoucher({ channelId: ch.channelId, cumulativeAmount: parseEther("50") });
    await grace!.redeemVoucher(v2);
    await carol!.flushPool({ modelId: 1n });
    s.channels = 1;
    log("channels");

    // Settlement: carol (a keeper) posts epoch 1's payout root over the data pool; after the challenge window it is
    // final and dave claims.
    if (opts.deployment.contracts.RewardsDistributor) {
      const distributor = opts.deployment.contracts.RewardsDistributor;
      const [, , , available] = await carol!.publicClient.readContract({
        address: distributor,
        abi: rewardsDistributorAbi,
        functionName: "totals",
      });
      const now = (await carol!.publicClient.getBlock()).timestamp;
      const share = available / 3n;
      // Merit in OPEN-vote units (k = 1 counts one unit of merit as one vote at the epoch's end, halving every half-life).
      const tree = PayoutTree.build([
        { account: dave!.address, cumulativeAmount: share, merit: parseEther("300") },
        { account: erin!.address, cumulativeAmount: share, merit: parseEther("200") },
        { account: frank!.address, cumulativeAmount: share, merit: parseEther("100") },
      ]);
      await carol!.depositPosterBond({ amount: parseEther("2000") });
      // The tree's document goes to the content store and its CID on-chain as `inputsCid` (the indexer serves merit
      // proofs from it).
      const posted = opts.store
        ? await carol!.postPayoutRoot({ epoch: 1n, epochEnd: now, tree, store: opts.store })
        : await carol!.postRoot({
            epoch: 1n,
            epochEnd: now,
            tree,
            inputsCid: cidOf(
              encodePayoutTreeDocument(payoutTreeDocument({ chainId: opts.deployment.chainId, distributor, epoch: 1n, epochEnd: now, tree })),
            ),
          });
      if (!opts.store) opts.logger?.warn("seed: no content store: the payout tree's document is not published (merit proofs unavailable)");
      const window = await carol!.publicClient.readContract({ address: distributor, abi: rewardsDistributorAbi, functionName: "parameters" });
      await increaseTime(opts.rpcUrl, Number(window[0]) + 1);
      await carol!.finalizeRoot({ index: posted.index });
      await dave!.claim({ tree });
      s.roots = 1;
      log("settlement");
    }
  }

  // Governance: alice proposes a publication-fee change through the Timelock; after the voting delay alice and bob
  // vote (their OPEN plus staked OPEN), carol abstains. The proposal stays active.
  if (opts.deployment.contracts.LineageGovernor && opts.deployment.contracts.DatanetRegistry) {
    const governor = opts.deployment.contracts.LineageGovernor;
    const p = await alice!.propose({
      calls: [
        {
          target: opts.deployment.contracts.DatanetRegistry,
          data: encodeFunctionData({ abi: datanetRegistryAbi, functionName: "setPublishFee", args: [parseEther("5"), parseEther("0.01")] }),
        },
      ],
      description: "Lower the Datanet publication fee to 5 OPEN + 0.01 OPEN/MB",
    });
    const delay = await alice!.publicClient.readContract({ address: governor, abi: lineageGovernorAbi, functionName: "votingDelay" });
    await increaseTime(opts.rpcUrl, Number(delay) + 1);
    await alice!.castVote({ proposalId: p.proposalId, support: "for", reason: "cheaper Datanets" });
    await bob!.castVote({ proposalId: p.proposalId, support: "against" });
    await carol!.castVote({ proposalId: p.proposalId, support: "abstain" });
    s.proposals = 1;
    log("governance");
  }

  // Released bonds: dave withdraws what the registry owes him.
  await dave!.withdrawOwed();
  return s;
}

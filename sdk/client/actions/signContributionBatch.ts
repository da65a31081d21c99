// SPDX-License-Identifier: MIT
/**
 * Gasless contribution, step 1: the contributor signs an EIP-712 `ContributionBatch` (DatanetRegistry domain) over
 * its packed items and the most it bonds per item, and draws the salt of the batch's commitment. Anyone can then
 * relay it with {@link relayContributionBatch} (commit, then reveal a block later); nothing is sent here.
 */
import { keccak256, type Address, type Hex } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { contributionCommitment, randomSalt } from "../../datanet/index.ts";
import { contributionBatchTypes, domainOf } from "../../eip712/index.ts";
import { walletOf, type LineageContext } from "../context.ts";
import { InvalidParameterError } from "../errors.ts";
import { packItems, type ContributionItem } from "../items.ts";

export interface SignContributionBatchParameters {
  datanetId: bigint;
  items: readonly ContributionItem[];
  /** Most OPEN bonded per item (signed); default the Datanet's bond read now. */
  maxBond?: bigint;
  /** Unix seconds; default one hour from the chain's latest block. */
  deadline?: bigint;
  /** Default: the contributor's next batch nonce on-chain. */
  nonce?: bigint;
}
export interface SignedContributionBatch {
  datanetId: bigint;
  contributor: Address;
  items: Hex;
  maxBond: bigint;
  nonce: bigint;
  deadline: bigint;
  /** The commitment's salt (not signed). */
  salt: Hex;
  /**
   * keccak256(abi.encode(contributor, datanetId, itemsHash, salt)). To a relayer you do not trust, hand this first
   * and the rest only once it is committed on-chain: a relayer holding the items before any commitment could
   * commit them as its own first.
   */
  commitment: Hex;
  signature: Hex;
}
export type SignContributionBatchReturnType = SignedContributionBatch;
export type SignContributionBatchErrorType = InvalidParameterError;

const DEFAULT_VALIDITY_SECONDS = 3_600n;

export async function signContributionBatch(
  ctx: LineageContext,
  p: SignContributionBatchParameters,
): Promise<SignContributionBatchReturnType> {
  if (p.datanetId <= 0n) throw new InvalidParameterError("signContributionBatch", "datanetId must be positive");
  if (p.maxBond !== undefined && p.maxBond < 0n) throw new InvalidParameterError("signContributionBatch", "maxBond must not be negative");
  const wallet = walletOf(ctx, "signContributionBatch");
  const contributor = wallet.account.address;
  const registry = contractAddress(ctx.deployment, "DatanetRegistry");
  const items = packItems(p.items, "signContributionBatch");
  const nonce =
    p.nonce ??
    (await ctx.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "batchNonce", args: [contributor] }));
  const maxBond =
    p.maxBond ??
    (await ctx.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "getDatanet", args: [p.datanetId] })).rules.bond;
  const deadline = p.deadline ?? (await ctx.publicClient.getBlock()).timestamp + DEFAULT_VALIDITY_SECONDS;
  const itemsHash = keccak256(items);
  const signature = await wallet.signTypedData({
    account: wallet.account,
    domain: domainOf("DatanetRegistry", ctx.deployment.chainId, registry),
    types: contributionBatchTypes,
    primaryType: "ContributionBatch",
    message: { contributor, datanetId: p.datanetId, itemsHash, maxBond, nonce, deadline },
  });
  const salt = randomSalt();
  const commitment = contributionCommitment({ contributor, datanetId: p.datanetId, itemsHash, salt });
  return { datanetId: p.datanetId, contributor, items, maxBond, nonce, deadline, salt, commitment, signature };
}

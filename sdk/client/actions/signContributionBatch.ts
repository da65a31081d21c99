// SPDX-License-Identifier: MIT
/**
 * Gasless contribution, step 1: the contributor signs an EIP-712 `ContributionBatch` (DatanetRegistry domain) over
 * its packed items. Anyone can then relay it with {@link relayContributionBatch}; nothing is sent here.
 */
import { keccak256, type Address, type Hex } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { contributionBatchTypes, domainOf } from "../../eip712/index.ts";
import { walletOf, type LineageContext } from "../context.ts";
import { InvalidParameterError } from "../errors.ts";
import { packItems, type ContributionItem } from "../items.ts";

export interface SignContributionBatchParameters {
  datanetId: bigint;
  items: readonly ContributionItem[];
  /** Unix seconds; default one hour from the chain's latest block. */
  deadline?: bigint;
  /** Default: the contributor's next batch nonce on-chain. */
  nonce?: bigint;
}
export interface SignedContributionBatch {
  datanetId: bigint;
  contributor: Address;
  items: Hex;
  nonce: bigint;
  deadline: bigint;
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
  const wallet = walletOf(ctx, "signContributionBatch");
  const contributor = wallet.account.address;
  const registry = contractAddress(ctx.deployment, "DatanetRegistry");
  const items = packItems(p.items, "signContributionBatch");
  const nonce =
    p.nonce ??
    (await ctx.publicClient.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "batchNonce", args: [contributor] }));
  const deadline = p.deadline ?? (await ctx.publicClient.getBlock()).timestamp + DEFAULT_VALIDITY_SECONDS;
  const signature = await wallet.signTypedData({
    account: wallet.account,
    domain: domainOf("DatanetRegistry", ctx.deployment.chainId, registry),
    types: contributionBatchTypes,
    primaryType: "ContributionBatch",
    message: { contributor, datanetId: p.datanetId, itemsHash: keccak256(items), nonce, deadline },
  });
  return { datanetId: p.datanetId, contributor, items, nonce, deadline, signature };
}

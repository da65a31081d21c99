// SPDX-License-Identifier: MIT
/**
 * Contribute items to a Datanet as the wallet's account (it pays gas and any bond: approve the registry first).
 * Two transactions: the commitment, then the reveal in a later block (so nobody can copy the pending reveal and
 * take the credit). `maxBond` bounds the bond per item: the reveal reverts if the owner raised it.
 */
import { parseEventLogs } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { randomSalt } from "../../datanet/index.ts";
import { walletOf, writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { packItems, type ContributionItem } from "../items.ts";
import { commitContribution } from "./commitContribution.ts";

export interface ContributeParameters {
  datanetId: bigint;
  items: readonly ContributionItem[];
  /** Most OPEN bonded per item; default the Datanet's bond read now (a raise after this read is refused). */
  maxBond?: bigint;
}
/** `ids` are the contribution ids of the items, in item order (a taken-over item keeps its id). */
export type ContributeReturnType = WriteResult & { ids: bigint[] };
export type ContributeErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function contribute(ctx: LineageContext, p: ContributeParameters): Promise<ContributeReturnType> {
  if (p.datanetId <= 0n) throw new InvalidParameterError("contribute", "datanetId must be positive");
  if (p.maxBond !== undefined && p.maxBond < 0n) throw new InvalidParameterError("contribute", "maxBond must not be negative");
  const items = packItems(p.items, "contribute");
  const contributor = walletOf(ctx, "contribute").account.address;
  const address = contractAddress(ctx.deployment, "DatanetRegistry");
  const maxBond = p.maxBond ?? (await ctx.publicClient.readContract({ address, abi: datanetRegistryAbi, functionName: "getDatanet", args: [p.datanetId] })).rules.bond;
  const salt = randomSalt();
  await commitContribution(ctx, { contributor, datanetId: p.datanetId, items, salt });
  const res = await writeContract(ctx, "contribute", {
    address,
    abi: datanetRegistryAbi,
    functionName: "contributeBatch",
    args: [p.datanetId, items, maxBond, salt],
  }, "pending");
  return { ...res, ids: submittedIds(res) };
}

/** The contribution ids a reveal recorded or took over (its ContributionSubmitted / ContributionReassigned events, in order). */
export function submittedIds(res: WriteResult): bigint[] {
  return parseEventLogs({ abi: datanetRegistryAbi, logs: res.receipt.logs })
    .filter((l) => l.eventName === "ContributionSubmitted" || l.eventName === "ContributionReassigned")
    .sort((a, b) => a.logIndex - b.logIndex)
    .map((l) => (l.args as { contributionId: bigint }).contributionId);
}

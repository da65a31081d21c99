// SPDX-License-Identifier: MIT
/** Contribute items to a Datanet as the wallet's account (it pays gas and any bond: approve the registry first). */
import { parseEventLogs } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { packItems, type ContributionItem } from "../items.ts";

export interface ContributeParameters {
  datanetId: bigint;
  items: readonly ContributionItem[];
}
/** `ids` are the new contribution ids, in item order. */
export type ContributeReturnType = WriteResult & { ids: bigint[] };
export type ContributeErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function contribute(ctx: LineageContext, p: ContributeParameters): Promise<ContributeReturnType> {
  if (p.datanetId <= 0n) throw new InvalidParameterError("contribute", "datanetId must be positive");
  const items = packItems(p.items, "contribute");
  const address = contractAddress(ctx.deployment, "DatanetRegistry");
  const res = await writeContract(ctx, "contribute", {
    address,
    abi: datanetRegistryAbi,
    functionName: "contributeBatch",
    args: [p.datanetId, items],
  });
  return { ...res, ids: submittedIds(res) };
}

/** The contribution ids a transaction created (its ContributionSubmitted events, in order). */
export function submittedIds(res: WriteResult): bigint[] {
  return parseEventLogs({ abi: datanetRegistryAbi, eventName: "ContributionSubmitted", logs: res.receipt.logs }).map(
    (l) => l.args.contributionId,
  );
}

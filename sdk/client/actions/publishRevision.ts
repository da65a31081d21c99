// SPDX-License-Identifier: MIT
/** Publish a new adapter revision of a model (holder or approved); settlement serves the latest. */
import { isHex, parseEventLogs, type Hex } from "viem";
import { modelRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, LineageClientError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";

export interface PublishRevisionParameters {
  modelId: bigint;
  adapterDigest: Hex;
  manifestDigest: Hex;
}
export type PublishRevisionReturnType = WriteResult & { revision: number };
export type PublishRevisionErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function publishRevision(ctx: LineageContext, p: PublishRevisionParameters): Promise<PublishRevisionReturnType> {
  if (!isHex(p.adapterDigest) || p.adapterDigest.length !== 66) throw new InvalidParameterError("publishRevision", "bad adapterDigest");
  if (!isHex(p.manifestDigest) || p.manifestDigest.length !== 66) throw new InvalidParameterError("publishRevision", "bad manifestDigest");
  const res = await writeContract(ctx, "publishRevision", {
    address: contractAddress(ctx.deployment, "ModelRegistry"),
    abi: modelRegistryAbi,
    functionName: "publishRevision",
    args: [p.modelId, p.adapterDigest, p.manifestDigest],
  });
  const [ev] = parseEventLogs({ abi: modelRegistryAbi, eventName: "AdapterRevised", logs: res.receipt.logs });
  if (!ev) throw new LineageClientError("publishRevision: no AdapterRevised event");
  return { ...res, revision: ev.args.revision };
}

// SPDX-License-Identifier: MIT
/**
 * Publish a Datanet version (owner only): the StandardMerkleTree root over the first `count` approved contributions
 * in approval order, read from the chain's events unless given.
 */
import { parseEventLogs, type Hex } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, LineageClientError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { versionRoot, type VersionLeaf } from "../items.ts";
import { readApprovedContributions } from "../reads.ts";

export interface PublishVersionParameters {
  datanetId: bigint;
  /** CID of the version's metadata. */
  metadataCID: string;
  /** How many approved contributions it covers (default: all approved so far). */
  count?: number;
  /** Approved contributions in approval order (default: read from the chain). */
  approved?: readonly VersionLeaf[];
}
export type PublishVersionReturnType = WriteResult & { versionId: bigint; root: Hex; leaves: VersionLeaf[] };
export type PublishVersionErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export async function publishVersion(ctx: LineageContext, p: PublishVersionParameters): Promise<PublishVersionReturnType> {
  const approved = p.approved ?? (await readApprovedContributions(ctx, p.datanetId));
  const count = p.count ?? approved.length;
  if (!Number.isInteger(count) || count <= 0 || count > approved.length) {
    throw new InvalidParameterError("publishVersion", `count ${count} is not in 1..${approved.length} (approved contributions)`);
  }
  const leaves = approved.slice(0, count);
  const root = versionRoot(leaves);
  const res = await writeContract(ctx, "publishVersion", {
    address: contractAddress(ctx.deployment, "DatanetRegistry"),
    abi: datanetRegistryAbi,
    functionName: "publishVersion",
    args: [p.datanetId, root, BigInt(count), p.metadataCID],
  });
  const [ev] = parseEventLogs({ abi: datanetRegistryAbi, eventName: "VersionPublished", logs: res.receipt.logs });
  if (!ev) throw new LineageClientError("publishVersion: no VersionPublished event");
  return { ...res, versionId: ev.args.versionId, root, leaves };
}

// SPDX-License-Identifier: MIT
/** Mint a model NFT (the minter needs access to every Datanet version listed; pays the mint fee if any). */
import { isHex, parseEventLogs, type Hex } from "viem";
import { modelRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, LineageClientError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";
import { ensureAllowance } from "./ensureAllowance.ts";

export interface MintModelParameters {
  baseModelDigest: Hex;
  adapterDigest: Hex;
  manifestDigest: Hex;
  datasets: readonly { datanetId: bigint; versionId: bigint }[];
  pricePer1kTokens: bigint;
  /** Holder's share (bps) of what remains after treasury and node parts. */
  ownerBps: number;
  /** sha2-256 of the model's metadata JSON in the content store. */
  metadataDigest: Hex;
}
export type MintModelReturnType = WriteResult & { modelId: bigint };
export type MintModelErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

const isDigest = (h: Hex) => isHex(h) && h.length === 66;

export async function mintModel(ctx: LineageContext, p: MintModelParameters): Promise<MintModelReturnType> {
  for (const f of ["baseModelDigest", "adapterDigest", "manifestDigest", "metadataDigest"] as const) {
    if (!isDigest(p[f])) throw new InvalidParameterError("mintModel", `${f} must be a 32-byte hex digest`);
  }
  if (!Number.isInteger(p.ownerBps) || p.ownerBps < 0 || p.ownerBps > 10_000) {
    throw new InvalidParameterError("mintModel", "ownerBps must be an integer in 0..10000");
  }
  const registry = contractAddress(ctx.deployment, "ModelRegistry");
  const fee = await ctx.publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "mintFee" });
  await ensureAllowance(ctx, { spender: registry, amount: fee });
  const res = await writeContract(ctx, "mintModel", {
    address: registry,
    abi: modelRegistryAbi,
    functionName: "mint",
    args: [
      {
        baseModelDigest: p.baseModelDigest,
        adapterDigest: p.adapterDigest,
        manifestDigest: p.manifestDigest,
        datasets: p.datasets.map((d) => ({ datanetId: d.datanetId, versionId: d.versionId })),
        pricePer1kTokens: p.pricePer1kTokens,
        ownerBps: p.ownerBps,
        metadataDigest: p.metadataDigest,
      },
    ],
  });
  const [ev] = parseEventLogs({ abi: modelRegistryAbi, eventName: "ModelMinted", logs: res.receipt.logs });
  if (!ev) throw new LineageClientError("mintModel: no ModelMinted event");
  return { ...res, modelId: ev.args.modelId };
}

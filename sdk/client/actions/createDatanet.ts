// SPDX-License-Identifier: MIT
/** Create a Datanet (Draft, owned by the wallet's account). */
import { parseEventLogs } from "viem";
import { datanetRegistryAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { writeContract, type LineageContext, type WriteResult } from "../context.ts";
import { InvalidParameterError, LineageClientError, type ContractRevertError, type TransactionFailedError } from "../errors.ts";

/** Datanet data types, in the registry's enum order. */
export const DATA_TYPES = ["Text", "Code", "Image", "Audio", "Video", "Tabular", "Other"] as const;
export type DataType = (typeof DATA_TYPES)[number];

export interface DatanetRules {
  /** Largest item in bytes (0 = registry default). */
  maxItemSize?: number;
  /** Bytes per contributor per UTC day (0 = registry default). */
  dailyLimit?: number;
  /** OPEN wei locked per pending contribution (gated Datanets). */
  bond?: bigint;
  validatorGated?: boolean;
  acceptStakedValidators?: boolean;
  openAccess?: boolean;
  /** OPEN wei per (version, account) when openAccess. */
  accessFee?: bigint;
}

export interface CreateDatanetParameters {
  metadataURI: string;
  dataType: DataType;
  declaredBytes: bigint;
  rules?: DatanetRules;
}
export type CreateDatanetReturnType = WriteResult & { datanetId: bigint };
export type CreateDatanetErrorType = InvalidParameterError | ContractRevertError | TransactionFailedError;

export function encodeRules(r: DatanetRules = {}) {
  return {
    maxItemSize: r.maxItemSize ?? 0,
    dailyLimit: r.dailyLimit ?? 0,
    bond: r.bond ?? 0n,
    validatorGated: r.validatorGated ?? false,
    acceptStakedValidators: r.acceptStakedValidators ?? false,
    openAccess: r.openAccess ?? false,
    accessFee: r.accessFee ?? 0n,
  };
}

export async function createDatanet(ctx: LineageContext, p: CreateDatanetParameters): Promise<CreateDatanetReturnType> {
  const dataType = DATA_TYPES.indexOf(p.dataType);
  if (dataType < 0) throw new InvalidParameterError("createDatanet", `unknown data type ${String(p.dataType)}`);
  if (p.metadataURI.length === 0) throw new InvalidParameterError("createDatanet", "metadataURI is empty");
  if (p.declaredBytes < 0n) throw new InvalidParameterError("createDatanet", "declaredBytes must not be negative");
  const res = await writeContract(ctx, "createDatanet", {
    address: contractAddress(ctx.deployment, "DatanetRegistry"),
    abi: datanetRegistryAbi,
    functionName: "createDatanet",
    args: [p.metadataURI, dataType, p.declaredBytes, encodeRules(p.rules)],
  });
  const [created] = parseEventLogs({ abi: datanetRegistryAbi, eventName: "DatanetCreated", logs: res.receipt.logs });
  if (!created) throw new LineageClientError("createDatanet: no DatanetCreated event");
  return { ...res, datanetId: created.args.datanetId };
}

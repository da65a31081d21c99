// SPDX-License-Identifier: MIT
/**
 * Access to gated Datanet blobs: a builder signs an EIP-712 `AccessRequest` (DatanetRegistry domain) naming the
 * blob's digest, the Datanet and version, and a deadline; the gateway checks the signature and asks the chain
 * `IDatanetAccess.hasAccess(datanetId, versionId, requester)`.
 */
import { type Address, type Hex, parseAbi, type PublicClient, type LocalAccount, verifyTypedData } from "viem";
import { z } from "zod";
import { type AccessRequest, accessRequestTypes, domainOf } from "../eip712/index.ts";
import type { Hex32 } from "./cid.ts";

export const datanetAccessAbi = parseAbi([
  "function hasAccess(uint256 datanetId, uint256 versionId, address account) view returns (bool)",
  "function versionRoot(uint256 datanetId, uint256 versionId) view returns (bytes32)",
  "function verifyContribution(uint256 datanetId, uint256 versionId, uint256 contributionId, bytes32 digest, address contributor, bytes32[] proof) view returns (bool)",
]);

/**
 * Proof that a blob is a contribution of the version asked for (a grant covers one version: without this a grant
 * for version 1 would open blobs first published in version 5). Sent beside the signed request; not signed, since
 * the registry checks it against the version root.
 */
export interface Membership {
  contributionId: bigint;
  contributor: Address;
  proof: Hex[];
}

/** Longest validity a gateway accepts for one signed request (limits the damage of a leaked signature). */
export const MAX_ACCESS_WINDOW_SECONDS = 24 * 3600;

/** Where grants live: a chain and the DatanetRegistry on it. */
export interface AccessChain {
  client: PublicClient;
  registry: Address;
  chainId: number;
}

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const uint = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
export const signedAccessRequestSchema = z.object({
  requester: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  datanetId: uint,
  versionId: uint,
  digest: hex32,
  deadline: uint,
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  membership: z
    .object({
      contributionId: uint,
      contributor: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
      proof: z.array(hex32).max(64),
    })
    .optional(),
});
export type SignedAccessRequest = AccessRequest & { signature: Hex };

export class AccessDeniedError extends Error {
  override name = "AccessDeniedError";
}

/** Sign an access request and encode it for the `x-lineage-access` header. */
export async function signAccessRequest(
  account: LocalAccount,
  chain: { chainId: number; registry: Address },
  req: Omit<AccessRequest, "requester">,
  membership?: Membership,
): Promise<string> {
  const message: AccessRequest = { requester: account.address, ...req };
  const signature = await account.signTypedData({
    domain: domainOf("DatanetRegistry", chain.chainId, chain.registry),
    types: accessRequestTypes,
    primaryType: "AccessRequest",
    message,
  });
  const m = membership ? { membership: { contributionId: membership.contributionId.toString(), contributor: membership.contributor, proof: membership.proof } } : {};
  return JSON.stringify({ ...message, datanetId: req.datanetId.toString(), versionId: req.versionId.toString(), deadline: req.deadline.toString(), signature, ...m });
}

/**
 * A header provider for `HttpContentStore`: signs a request per blob for one Datanet version, with the blob's
 * membership proof (from `membershipOf`, e.g. the version tree of sdk/datanet).
 */
export function accessHeaderProvider(
  account: LocalAccount,
  chain: { chainId: number; registry: Address },
  datanetId: bigint,
  versionId: bigint,
  membershipOf?: (digest: Hex32) => Membership | undefined,
  ttlSeconds = 600,
): (digest: Hex32) => Promise<string> {
  return (digest) =>
    signAccessRequest(account, chain, { datanetId, versionId, digest, deadline: BigInt(Math.floor(Date.now() / 1000) + ttlSeconds) }, membershipOf?.(digest));
}

/**
 * Check a header for a blob: well-formed, for this digest, for one of the blob's Datanets, not expired, not too
 * long-lived, signed by `requester`, `requester` holds an on-chain grant for that version, and the blob is a
 * contribution of that version (membership proof checked by the registry's `verifyContribution`).
 */
export async function checkAccess(header: string | undefined, digest: Hex32, datanetIds: readonly bigint[], chain: AccessChain | undefined, now = Math.floor(Date.now() / 1000)): Promise<SignedAccessRequest> {
  if (!header) throw new AccessDeniedError("this blob belongs to a gated Datanet: send a signed AccessRequest in the x-lineage-access header");
  if (!chain) throw new AccessDeniedError("this blob belongs to a gated Datanet and the gateway has no chain configured to check grants");
  let parsed: z.infer<typeof signedAccessRequestSchema>;
  try {
    parsed = signedAccessRequestSchema.parse(JSON.parse(header));
  } catch (e) {
    throw new AccessDeniedError(`malformed access request: ${(e as Error).message.slice(0, 200)}`);
  }
  const req: SignedAccessRequest = {
    requester: parsed.requester as Address,
    datanetId: parsed.datanetId,
    versionId: parsed.versionId,
    digest: parsed.digest.toLowerCase() as Hex32,
    deadline: parsed.deadline,
    signature: parsed.signature as Hex,
  };
  if (req.digest !== digest.toLowerCase()) throw new AccessDeniedError(`access request is for digest ${req.digest}, not ${digest}`);
  if (!datanetIds.includes(req.datanetId)) throw new AccessDeniedError(`blob does not belong to Datanet ${req.datanetId}`);
  if (req.deadline < BigInt(now)) throw new AccessDeniedError(`access request expired at ${req.deadline}`);
  if (req.deadline > BigInt(now + MAX_ACCESS_WINDOW_SECONDS)) throw new AccessDeniedError(`access request valid for more than ${MAX_ACCESS_WINDOW_SECONDS} s`);
  const { signature, ...message } = req;
  const ok = await verifyTypedData({
    address: req.requester,
    domain: domainOf("DatanetRegistry", chain.chainId, chain.registry),
    types: accessRequestTypes,
    primaryType: "AccessRequest",
    message,
    signature,
  }).catch(() => false);
  if (!ok) throw new AccessDeniedError(`signature does not match requester ${req.requester}`);
  const granted = await chain.client.readContract({ address: chain.registry, abi: datanetAccessAbi, functionName: "hasAccess", args: [req.datanetId, req.versionId, req.requester] });
  if (!granted) throw new AccessDeniedError(`${req.requester} has no access grant for Datanet ${req.datanetId} version ${req.versionId}`);
  const mem = parsed.membership;
  if (!mem) throw new AccessDeniedError("a membership proof of the blob in the requested version is required");
  const member = await chain.client.readContract({
    address: chain.registry,
    abi: datanetAccessAbi,
    functionName: "verifyContribution",
    args: [req.datanetId, req.versionId, mem.contributionId, req.digest, mem.contributor as Address, mem.proof as Hex[]],
  });
  if (!member) throw new AccessDeniedError(`blob ${req.digest} is not a contribution of Datanet ${req.datanetId} version ${req.versionId}`);
  return req;
}

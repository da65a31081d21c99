// SPDX-License-Identifier: MIT
/** Shared helpers for the EIP-712 messages of the settlement contracts. */
import { isAddress, isHex, type Address, type Hex, type LocalAccount } from "viem";
import { z } from "zod";

/** Something that signs EIP-712 typed data as `address`: a viem `LocalAccount` (privateKeyToAccount, HD, ...). */
export type TypedDataSigner = Pick<LocalAccount, "address" | "signTypedData">;

/** Where a message is verified: the chain and the verifying contract (both are in the EIP-712 domain). */
export interface DomainTarget {
  chainId: number | bigint;
  verifyingContract: Address;
}

/** Thrown for a malformed message or signature given to a settlement helper. */
export class SettlementSignatureError extends Error {
  override name = "SettlementSignatureError";
}

export const addressSchema = z.string().refine((a) => isAddress(a, { strict: false }), "not an address").transform((a) => a as Address);
export const bytes32Schema = z.string().refine((h) => isHex(h) && h.length === 66, "not a bytes32 hex").transform((h) => h as Hex);
export const signatureSchema = z.string().refine((h) => isHex(h) && h.length >= 132, "not a signature").transform((h) => h as Hex);
export const uintSchema = (bits: number) =>
  z
    .union([z.bigint(), z.string().regex(/^[0-9]+$/), z.number().int()])
    .transform((v) => BigInt(v))
    .refine((v) => v >= 0n && v < 1n << BigInt(bits), `must fit uint${bits}`);

export const domainTargetSchema = z.object({
  chainId: z.union([z.number().int().positive(), z.bigint().positive()]),
  verifyingContract: addressSchema,
});

/** Parses with a zod schema and throws a {@link SettlementSignatureError} naming what is wrong. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new SettlementSignatureError(`${what}: ${r.error.issues.map((i) => `${i.path.join(".") || "value"} ${i.message}`).join("; ")}`);
  return r.data;
}

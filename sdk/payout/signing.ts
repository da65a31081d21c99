// SPDX-License-Identifier: MIT
/** Shared helpers for the EIP-712 messages of the settlement contracts. */
import {
  hashTypedData,
  isAddress,
  isAddressEqual,
  isHex,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type LocalAccount,
  type TypedData,
  type TypedDataDefinition,
} from "viem";
import { z } from "zod";
import { domainOf, type DomainContract } from "../eip712/index.ts";

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

/** The EIP-712 typed data of one message for viem's signing, hashing and recovery functions. */
export type TypedMessageData = TypedDataDefinition<TypedData, string>;

/**
 * One signed message kind of a settlement contract: input checking, typed data, digest, signing and signer recovery,
 * defined once for vouchers, usage receipts and signed claims. Malformed input throws {@link SettlementSignatureError};
 * a well-formed but wrong signature makes {@link TypedMessage.signedBy} return false.
 */
export interface TypedMessage<M> {
  /** Checks a message and its target (throws on malformed input). */
  parse(message: unknown, target: unknown): [M, DomainTarget];
  /** The typed data of a checked message. */
  typedData(message: M, target: DomainTarget): TypedMessageData;
  /** The EIP-712 digest (equals the verifying contract's digest function). */
  digest(message: unknown, target: unknown): Hex;
  /** Signs the checked message with `signer`. */
  sign(signer: TypedDataSigner, message: unknown, target: unknown): Promise<{ message: M; signature: Hex }>;
  /** The (EOA) address that signed the message; throws on malformed input or an unrecoverable signature. */
  recover(message: unknown, signature: unknown, target: unknown): Promise<Address>;
  /** Whether `expected` signed the message (EOA); throws on malformed input, false on any other signer. */
  signedBy(message: unknown, signature: unknown, target: unknown, expected: Address): Promise<boolean>;
}

/** Defines a {@link TypedMessage} for a contract's EIP-712 domain, types (from `sdk/eip712`) and zod schema. */
export function typedMessage<M extends object>(spec: {
  contract: DomainContract;
  types: TypedData;
  primaryType: string;
  schema: z.ZodType<M>;
  what: string;
}): TypedMessage<M> {
  const parse = (message: unknown, target: unknown): [M, DomainTarget] => [
    parseOrThrow(spec.schema, message, spec.what),
    parseOrThrow(domainTargetSchema, target, "domain") as DomainTarget,
  ];
  const typedData = (message: M, target: DomainTarget): TypedMessageData => ({
    domain: domainOf(spec.contract, target.chainId, target.verifyingContract),
    types: spec.types,
    primaryType: spec.primaryType,
    message: message as Record<string, unknown>,
  });
  const recover = async (message: unknown, signature: unknown, target: unknown): Promise<Address> => {
    const data = typedData(...parse(message, target));
    return recoverTypedDataAddress({ ...data, signature: parseOrThrow(signatureSchema, signature, "signature") });
  };
  return {
    parse,
    typedData,
    digest: (message, target) => hashTypedData(typedData(...parse(message, target))),
    sign: async (signer, message, target) => {
      const [m, t] = parse(message, target);
      return { message: m, signature: await signer.signTypedData(typedData(m, t)) };
    },
    recover,
    signedBy: async (message, signature, target, expected) => {
      const data = typedData(...parse(message, target));
      const sig = parseOrThrow(signatureSchema, signature, "signature");
      const signer = await recoverTypedDataAddress({ ...data, signature: sig }).catch(() => undefined);
      return signer !== undefined && isAddressEqual(signer, expected);
    },
  };
}

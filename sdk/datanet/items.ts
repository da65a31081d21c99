// SPDX-License-Identifier: MIT
/**
 * Contribution items as the DatanetRegistry takes them: packed `(bytes32 digest, uint64 size)`, 40 bytes each.
 * The same bytes hash to a ContributionBatch's `itemsHash` (PROTOCOL.md, "Signed messages").
 */
import { concatHex, type Hex, keccak256, numberToHex } from "viem";
import { z } from "zod";

/** Largest uint64. */
const MAX_UINT64 = (1n << 64n) - 1n;

/** One contribution item: the blob's sha2-256 digest and its size in bytes. */
export const contributionItemSchema = z.object({
  digest: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "digest must be 32 bytes of hex")
    .transform((s) => s.toLowerCase() as Hex)
    .refine((s) => !/^0x0{64}$/.test(s), "digest must not be zero"),
  size: z
    .union([z.bigint(), z.number().int()])
    .transform((v) => BigInt(v))
    .refine((v) => v > 0n && v <= MAX_UINT64, "size must be in [1, 2^64-1]"),
});
export type ContributionItemInput = z.input<typeof contributionItemSchema>;
export type ContributionItem = z.output<typeof contributionItemSchema>;

/** Validates items (throws a ZodError naming the bad field). */
export function parseItems(items: readonly ContributionItemInput[]): ContributionItem[] {
  return z.array(contributionItemSchema).min(1, "at least one item").parse(items);
}

/** The packed bytes a contract call carries: digest (32 bytes) || size (8 bytes, big-endian) per item. */
export function packItems(items: readonly ContributionItemInput[]): Hex {
  return concatHex(parseItems(items).flatMap((it) => [it.digest, numberToHex(it.size, { size: 8 })]));
}

/** `itemsHash` of a ContributionBatch: keccak256 of the packed items. */
export function itemsHash(items: readonly ContributionItemInput[]): Hex {
  return keccak256(packItems(items));
}

// SPDX-License-Identifier: MIT
/** Approve `spender` for `amount` OPEN if the wallet's current allowance is lower (used by paying flows). */
import type { Address } from "viem";
import { openTokenAbi } from "../../abi/index.ts";
import { contractAddress } from "../../addresses/index.ts";
import { walletOf, type LineageContext, type WriteResult } from "../context.ts";
import { approve } from "./approve.ts";

export interface EnsureAllowanceParameters {
  spender: Address;
  amount: bigint;
}
export type EnsureAllowanceReturnType = WriteResult | undefined;

export async function ensureAllowance(ctx: LineageContext, p: EnsureAllowanceParameters): Promise<EnsureAllowanceReturnType> {
  if (p.amount === 0n) return undefined;
  const owner = walletOf(ctx, "ensureAllowance").account.address;
  const current = await ctx.publicClient.readContract({
    address: contractAddress(ctx.deployment, "OpenToken"),
    abi: openTokenAbi,
    functionName: "allowance",
    args: [owner, p.spender],
  });
  if (current >= p.amount) return undefined;
  return approve(ctx, { spender: p.spender, amount: p.amount });
}

// SPDX-License-Identifier: MIT
/** Checks made before anything is sent: enough OPEN for what an action pays, and the allowance it will need. */
import { openTokenAbi } from "../../../sdk/abi/index.ts";
import { contractAddress } from "../../../sdk/addresses/index.ts";
import type { LineageClient } from "../../../sdk/client/index.ts";
import type { ContractName } from "../../../sdk/abi/index.ts";
import { open } from "./format.ts";

export class GuardError extends Error {
  override name = "GuardError";
}

export async function openBalance(client: LineageClient, account = client.address): Promise<bigint> {
  return client.publicClient.readContract({ address: contractAddress(client.deployment, "OpenToken"), abi: openTokenAbi, functionName: "balanceOf", args: [account] });
}

/**
 * Throws (nothing sent) when the wallet holds less than `amount` OPEN; returns a note when the spender's allowance is
 * short, so the page can say an approval transaction comes first.
 */
export async function checkOpen(client: LineageClient, amount: bigint, spender: ContractName, what: string): Promise<string> {
  if (amount === 0n) return "";
  const token = contractAddress(client.deployment, "OpenToken");
  const [balance, allowance] = await Promise.all([
    openBalance(client),
    client.publicClient.readContract({ address: token, abi: openTokenAbi, functionName: "allowance", args: [client.address, contractAddress(client.deployment, spender)] }),
  ]);
  if (balance < amount) throw new GuardError(`Not enough OPEN: ${what} needs ${open(amount)}, this account has ${open(balance)}. Nothing was sent.`);
  return allowance < amount ? ` (an approval of ${open(amount)} for the ${spender} comes first)` : "";
}

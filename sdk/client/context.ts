// SPDX-License-Identifier: MIT
/** What every action needs: clients and the deployment. Writes are simulated first so reverts come back decoded. */
import {
  BaseError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import type { Deployment } from "../addresses/index.ts";
import { ContractRevertError, LineageClientError, TransactionFailedError } from "./errors.ts";

/** Gas limit sent = estimate x GAS_HEADROOM_PCT / 100 + GAS_HEADROOM_FIXED (unused gas is not paid). */
export const GAS_HEADROOM_PCT = 150n;
export const GAS_HEADROOM_FIXED = 60_000n;

export interface LineageContext {
  publicClient: PublicClient;
  /** Needed by actions that send transactions or sign. */
  walletClient?: WalletClient<Transport, Chain | undefined, Account>;
  deployment: Deployment;
}

export interface WriteResult {
  hash: Hash;
  receipt: TransactionReceipt;
}

/** The wallet of a context, or a clear error for read-only contexts. */
export function walletOf(ctx: LineageContext, action: string): WalletClient<Transport, Chain | undefined, Account> {
  if (!ctx.walletClient) throw new LineageClientError(`${action}: needs a wallet client with an account`);
  return ctx.walletClient;
}

/** Simulates, sends and waits for a contract call; throws {@link ContractRevertError} or {@link TransactionFailedError}. */
export async function writeContract<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
  args extends ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>,
>(
  ctx: LineageContext,
  action: string,
  call: { address: Address; abi: abi; functionName: functionName; args: args; value?: bigint },
  /**
   * "pending" simulates and estimates against the next block: for a call valid only after the latest block (a
   * reveal of a commitment mined in it; nodes run "latest" calls with the latest block's number).
   */
  blockTag: "latest" | "pending" = "latest",
): Promise<WriteResult> {
  const wallet = walletOf(ctx, action);
  let request;
  try {
    // viem's generic request types are deep; the call is checked by this function's own signature.
    ({ request } = await ctx.publicClient.simulateContract({ ...(call as object), account: wallet.account, blockTag } as never));
  } catch (e) {
    if (e instanceof BaseError) throw new ContractRevertError(action, e);
    throw e;
  }
  // Headroom over the estimate: gas depends on the block a transaction lands in (timestamp-clock checkpoints are
  // pushed or updated in place), so an exact estimate can run out of gas one block later.
  const estimate = await ctx.publicClient.estimateContractGas({ ...(call as object), account: wallet.account, blockTag } as never);
  const hash = await wallet.writeContract({ ...(request as object), gas: (estimate * GAS_HEADROOM_PCT) / 100n + GAS_HEADROOM_FIXED } as never);
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    const tx = await ctx.publicClient.getTransaction({ hash });
    throw new TransactionFailedError(action, hash, `gas used ${receipt.gasUsed} of ${tx.gas}`);
  }
  return { hash, receipt };
}

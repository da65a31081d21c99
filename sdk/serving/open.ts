// SPDX-License-Identifier: MIT
/**
 * `openSessionChannel`: opens a payment channel whose signer is a fresh session key, through the SDK client (approve
 * the deposit, then `open` with the session key as `signer`). The wallet pays the deposit and gets the refund; the
 * session key only signs vouchers, so losing it risks at most the deposit. Keep the returned key in the dapp (never
 * send it to a node).
 */
import type { Address, Hex, LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { openChannel, type LineageContext, type WriteResult } from "../client/index.ts";

export interface OpenSessionChannelParameters {
  node: Address;
  modelId: bigint;
  /** OPEN wei deposited (the most the session key can ever spend). */
  deposit: bigint;
  /** An existing session key to reuse (default: a fresh one). */
  sessionPrivateKey?: Hex;
}

export interface OpenSessionChannelReturnType extends WriteResult {
  channelId: bigint;
  /** The session key's private key: store it only where the dapp keeps secrets. */
  sessionPrivateKey: Hex;
  sessionKey: LocalAccount;
}

export async function openSessionChannel(ctx: LineageContext, p: OpenSessionChannelParameters): Promise<OpenSessionChannelReturnType> {
  const sessionPrivateKey = p.sessionPrivateKey ?? generatePrivateKey();
  const sessionKey = privateKeyToAccount(sessionPrivateKey);
  const res = await openChannel(ctx, { node: p.node, modelId: p.modelId, deposit: p.deposit, signer: sessionKey.address });
  return { ...res, sessionPrivateKey, sessionKey };
}

// SPDX-License-Identifier: MIT
/** What the paying client reads from the chain about its channel: node, model, signer, deposit and the model's price. */
import { isAddressEqual, type Address, type PublicClient } from "viem";
import { modelRegistryAbi, paymentChannelsAbi } from "../abi/index.ts";
import type { DomainTarget } from "../payout/index.ts";
import { ChannelMismatchError } from "./errors.ts";

export interface ChannelInfo {
  channelId: bigint;
  node: Address;
  modelId: bigint;
  signer: Address;
  deposit: bigint;
  redeemed: bigint;
  /** The receipts' and vouchers' EIP-712 domain (PaymentChannels on this chain). */
  target: DomainTarget;
  /** The ModelRegistry the channel's contract reads terms from. */
  modelRegistry: Address;
}

export type ChainReader = Pick<PublicClient, "readContract" | "getChainId">;

/** Reads a channel and checks that `sessionKey` is its signer and that it is still payable. */
export async function readChannel(
  client: ChainReader,
  paymentChannels: Address,
  channelId: bigint,
  sessionKey: Address,
): Promise<ChannelInfo> {
  const [c, modelRegistry, chainId] = await Promise.all([
    client.readContract({ address: paymentChannels, abi: paymentChannelsAbi, functionName: "channel", args: [channelId] }),
    client.readContract({ address: paymentChannels, abi: paymentChannelsAbi, functionName: "models" }),
    client.getChainId(),
  ]);
  if (isAddressEqual(c.node, "0x0000000000000000000000000000000000000000")) {
    throw new ChannelMismatchError(`channel ${channelId} does not exist on PaymentChannels ${paymentChannels}`);
  }
  if (c.settled) throw new ChannelMismatchError(`channel ${channelId} is settled`);
  if (!isAddressEqual(c.signer, sessionKey)) {
    throw new ChannelMismatchError(`channel ${channelId}'s signer is ${c.signer}, not the session key ${sessionKey}`);
  }
  return {
    channelId,
    node: c.node,
    modelId: BigInt(c.modelId),
    signer: c.signer,
    deposit: c.deposit,
    redeemed: c.redeemed,
    target: { chainId, verifyingContract: paymentChannels },
    modelRegistry,
  };
}

/** The model's current price per 1,000 tokens (OPEN wei). */
export async function readPrice(client: ChainReader, modelRegistry: Address, modelId: bigint): Promise<bigint> {
  const m = await client.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: "getModel", args: [modelId] });
  return m.pricePer1kTokens;
}

// SPDX-License-Identifier: MIT
import { describe, expect, it } from "vitest";
import { encodeAbiParameters, hashStruct, keccak256, parseAbiParameters, toHex } from "viem";
import { usageReceiptTypes, domainOf } from "./index.ts";

describe("eip712 types", () => {
  it("UsageReceipt type string matches the contracts' USAGE_RECEIPT_TYPEHASH preimage", () => {
    const typeString =
      "UsageReceipt(uint256 channelId,uint64 seq,uint256 modelId,bytes32 adapterDigest,uint32 tokensIn,uint32 tokensOut,uint256 cumulativeAmount,bytes32 requestHash)";
    const message = {
      channelId: 1n, seq: 2n, modelId: 3n, adapterDigest: keccak256(toHex("a")), tokensIn: 4, tokensOut: 5,
      cumulativeAmount: 6n, requestHash: keccak256(toHex("r")),
    };
    const h = hashStruct({ data: message, types: usageReceiptTypes, primaryType: "UsageReceipt" });
    const manual = keccak256(
      encodeAbiParameters(
        parseAbiParameters("bytes32,uint256,uint64,uint256,bytes32,uint32,uint32,uint256,bytes32"),
        [keccak256(toHex(typeString)), 1n, 2n, 3n, message.adapterDigest, 4, 5, 6n, message.requestHash],
      ),
    );
    expect(h).toBe(manual);
  });
  it("domainOf pins name and version", () => {
    const d = domainOf("PaymentChannels", 31337n, "0x0000000000000000000000000000000000000001");
    expect(d).toEqual({ name: "PaymentChannels", version: "1", chainId: 31337, verifyingContract: "0x0000000000000000000000000000000000000001" });
  });
});

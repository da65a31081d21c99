// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A serving node's signed meter reading for one request (PROTOCOL.md, "Signed messages").
/// @dev Signed as EIP-712 in the PaymentChannels contract's domain (name "PaymentChannels", version "1").
struct UsageReceipt {
    uint256 channelId;
    uint64 seq;
    uint256 modelId;
    bytes32 adapterDigest;
    uint32 tokensIn;
    uint32 tokensOut;
    uint256 cumulativeAmount;
    bytes32 requestHash;
}

/// @dev keccak256 of the EIP-712 type string of {UsageReceipt}.
bytes32 constant USAGE_RECEIPT_TYPEHASH = keccak256(
    "UsageReceipt(uint256 channelId,uint64 seq,uint256 modelId,bytes32 adapterDigest,uint32 tokensIn,uint32 tokensOut,uint256 cumulativeAmount,bytes32 requestHash)"
);

/// @notice EIP-712 struct hash of a usage receipt.
function hashUsageReceipt(UsageReceipt memory r) pure returns (bytes32) {
    return keccak256(
        abi.encode(
            USAGE_RECEIPT_TYPEHASH,
            r.channelId,
            r.seq,
            r.modelId,
            r.adapterDigest,
            r.tokensIn,
            r.tokensOut,
            r.cumulativeAmount,
            r.requestHash
        )
    );
}

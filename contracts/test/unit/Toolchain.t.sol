// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {UsageReceipt, USAGE_RECEIPT_TYPEHASH, hashUsageReceipt} from "../../src/types/UsageReceipt.sol";

/// @notice Checks the shared UsageReceipt encoding against an independent computation.
contract UsageReceiptTypeTest is Test {
    function test_hashUsageReceipt_matchesManualEncoding() public pure {
        UsageReceipt memory r = UsageReceipt(1, 2, 3, keccak256("a"), 4, 5, 6, keccak256("r"));
        bytes32 expected = keccak256(
            abi.encode(USAGE_RECEIPT_TYPEHASH, uint256(1), uint64(2), uint256(3), keccak256("a"), uint32(4), uint32(5), uint256(6), keccak256("r"))
        );
        assertEq(hashUsageReceipt(r), expected);
        assertEq(
            USAGE_RECEIPT_TYPEHASH,
            keccak256(
                "UsageReceipt(uint256 channelId,uint64 seq,uint256 modelId,bytes32 adapterDigest,uint32 tokensIn,uint32 tokensOut,uint256 cumulativeAmount,bytes32 requestHash)"
            )
        );
    }
}

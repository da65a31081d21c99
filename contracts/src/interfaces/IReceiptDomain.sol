// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {UsageReceipt} from "../types/UsageReceipt.sol";

/// @title IReceiptDomain
/// @notice The part of PaymentChannels (issue 4) that the StakingRegistry (issue 5) uses to prove an objective
/// fault: usage receipts are signed in the PaymentChannels EIP-712 domain (PROTOCOL.md, "Signed messages").
interface IReceiptDomain {
    /// @notice The EIP-712 digest (`\x19\x01 || domainSeparator || hashStruct`) a node signs for `receipt`.
    function receiptDigest(UsageReceipt calldata receipt) external view returns (bytes32);

    /// @notice The serving node of channel `channelId` (zero address for an unknown channel).
    function channelNode(uint256 channelId) external view returns (address);
}

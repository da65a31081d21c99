// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OpenTokenBase} from "./OpenTokenBase.sol";
import {IOpenTokenL1} from "../interfaces/IOpenToken.sol";

/// @title OpenToken
/// @notice OPEN, the Lineage token on L1: fixed supply minted once to the treasury, permit, timestamp-clock votes.
/// @dev Immutable, no owner, no mint after construction. Votes count only once an account delegates (ERC-5805).
contract OpenToken is OpenTokenBase, IOpenTokenL1 {
    /// @inheritdoc IOpenTokenL1
    uint256 public constant TOTAL_SUPPLY = 1_000_000_000e18;

    /// @param treasury Receives the whole supply (the Timelock on devnet).
    constructor(address treasury) OpenTokenBase("Lineage", "OPEN") {
        if (treasury == address(0)) revert OpenTokenZeroTreasury();
        _mint(treasury, TOTAL_SUPPLY);
    }
}

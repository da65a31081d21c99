// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title StakingSharesLib
/// @notice Share <-> asset conversions of the StakingRegistry's pools, with a virtual offset.
/// @dev `VIRTUAL_SHARES` / `VIRTUAL_ASSETS` (as OpenZeppelin's ERC-4626 decimals offset of 3) make the first
/// depositor unable to inflate the share price against later ones, and keep a pool usable after heavy slashing.
/// Conversions round in the pool's favour: deposits floor shares, payouts floor assets, removals ceil shares.
/// A payout never exceeds the pool's assets: `s x (A + 1) / (S + 1000) < A + 1` for `s <= S`.
library StakingSharesLib {
    /// @dev Virtual shares added to a pool's share total in every conversion.
    uint256 internal constant VIRTUAL_SHARES = 1e3;
    /// @dev Virtual assets added to a pool's asset total in every conversion.
    uint256 internal constant VIRTUAL_ASSETS = 1;

    /// @notice Shares minted for depositing `assets`, rounded down.
    function toSharesDown(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
    }

    /// @notice Shares burnt for removing `assets`, rounded up.
    function toSharesUp(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS, Math.Rounding.Ceil);
    }

    /// @notice Assets `shares` are worth, rounded down.
    function toAssetsDown(uint256 shares, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IModelTerms
/// @notice The part of the ModelRegistry that settlement reads (implemented by ModelRegistry, issue 3).
interface IModelTerms {
    /// @notice Revenue terms of a model NFT.
    /// @param modelId The model NFT id.
    /// @return owner The NFT's current holder (revenue rights move with the NFT).
    /// @return ownerBps The holder's share, in bps, of what remains after treasury and node parts.
    /// @return pricePer1kTokens Price per 1,000 tokens, in OPEN wei.
    /// @dev Reverts with the registry's `ModelNotFound(modelId)` for an unknown model.
    function revenueTerms(uint256 modelId)
        external
        view
        returns (address owner, uint16 ownerBps, uint256 pricePer1kTokens);
}

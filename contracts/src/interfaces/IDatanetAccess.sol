// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IDatanetAccess
/// @notice The part of the DatanetRegistry (issue 3) that model minting, training and the content gateway check.
interface IDatanetAccess {
    /// @notice Whether `account` holds an access grant for version `versionId` of Datanet `datanetId`
    /// (the Datanet's owner always has access; an open Datanet grants on payment of its access fee).
    function hasAccess(uint256 datanetId, uint256 versionId, address account) external view returns (bool);

    /// @notice The Merkle root of a published version (zero if not published).
    function versionRoot(uint256 datanetId, uint256 versionId) external view returns (bytes32);
}

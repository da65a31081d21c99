// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IMeritRoots
/// @notice The part of the RewardsDistributor (issue 4) that governance reads to prove merit at vote time
/// (PROTOCOL.md, "Payout roots, claims and merit").
interface IMeritRoots {
    /// @notice The latest payout root that was final at `timepoint` (timestamp), with its epoch end and total merit.
    /// @dev Returns zeros when no root was final at `timepoint`. Leaves are StandardMerkleTree
    /// `["address","uint256","uint256"]` = (account, cumulativeAmount, merit). For a past `timepoint` the answer must
    /// never change (the Governor caches it per proposal snapshot).
    function finalRootAt(uint256 timepoint) external view returns (bytes32 root, uint64 epochEnd, uint256 totalMerit);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RewardsLeafLib
/// @notice The payout-tree leaf of the RewardsDistributor: OpenZeppelin StandardMerkleTree encoding of
/// `["address","uint256","uint256"]` = (account, cumulativeAmount, merit), i.e.
/// `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount, merit))))`. The Governor uses the same
/// leaf to prove merit at vote time against `IMeritRoots.finalRootAt`.
library RewardsLeafLib {
    /// @notice The leaf hash of (account, cumulativeAmount, merit).
    function leafHash(address account, uint256 cumulativeAmount, uint256 merit) internal pure returns (bytes32 leaf) {
        // Same as keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount, merit)))), without the
        // memory expansion of abi.encode: three words hashed in scratch + free memory, then the 32-byte hash again.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 0x20), cumulativeAmount)
            mstore(add(ptr, 0x40), merit)
            mstore(0x00, keccak256(ptr, 0x60))
            leaf := keccak256(0x00, 0x20)
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RewardsLeafLib} from "../../src/libraries/RewardsLeafLib.sol";

/// @notice A small in-Solidity payout-tree builder for tests: leaves hashed like OpenZeppelin's StandardMerkleTree
/// (`["address","uint256","uint256"]`), pairs hashed sorted (commutative), an odd node carried up. Proofs verify with
/// OpenZeppelin's MerkleProof. (The SDK builder in sdk/payout is the one used off-chain; tests on anvil check the
/// two against each other through the contracts.)
library SettlementMerkle {
    struct Leaf {
        address account;
        uint256 cumulativeAmount;
        uint256 merit;
    }

    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function leafHashes(Leaf[] memory leaves) internal pure returns (bytes32[] memory h) {
        h = new bytes32[](leaves.length);
        for (uint256 i; i < leaves.length; ++i) {
            h[i] = RewardsLeafLib.leafHash(leaves[i].account, leaves[i].cumulativeAmount, leaves[i].merit);
        }
    }

    function root(Leaf[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = leafHashes(leaves);
        uint256 n = level.length;
        require(n > 0, "empty tree");
        while (n > 1) {
            uint256 m = (n + 1) / 2;
            for (uint256 i; i < m; ++i) {
                level[i] = 2 * i + 1 < n ? hashPair(level[2 * i], level[2 * i + 1]) : level[2 * i];
            }
            n = m;
        }
        return level[0];
    }

    function proof(Leaf[] memory leaves, uint256 index) internal pure returns (bytes32[] memory p) {
        bytes32[] memory level = leafHashes(leaves);
        uint256 n = level.length;
        bytes32[] memory buf = new bytes32[](256);
        uint256 len;
        while (n > 1) {
            uint256 sib = index ^ 1;
            if (sib < n) buf[len++] = level[sib];
            uint256 m = (n + 1) / 2;
            for (uint256 i; i < m; ++i) {
                level[i] = 2 * i + 1 < n ? hashPair(level[2 * i], level[2 * i + 1]) : level[2 * i];
            }
            n = m;
            index /= 2;
        }
        p = new bytes32[](len);
        for (uint256 i; i < len; ++i) {
            p[i] = buf[i];
        }
    }
}

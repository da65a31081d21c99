// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title DatanetItems
/// @notice Reads packed contribution items from calldata: `(bytes32 digest, uint64 size)`, 40 bytes each, the same
/// bytes whose keccak256 is a ContributionBatch's `itemsHash`.
library DatanetItems {
    /// @dev Bytes per packed item: 32 (digest) + 8 (size).
    uint256 internal constant ITEM_BYTES = 40;

    /// @dev Item `i` of `items`. The caller checks `i < items.length / ITEM_BYTES`.
    function at(bytes calldata items, uint256 i) internal pure returns (bytes32 digest, uint256 size) {
        assembly ("memory-safe") {
            let p := add(items.offset, mul(i, 40))
            digest := calldataload(p)
            // The next 8 bytes, big-endian: the uint64 size.
            size := shr(192, calldataload(add(p, 32)))
        }
    }

    /// @dev keccak256 of the items as they lie in calldata (the signed `itemsHash`).
    function hash(bytes calldata items) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, items.offset, items.length)
            h := keccak256(ptr, items.length)
        }
    }
}

/// @title ContributionSlot
/// @notice One contribution in one storage slot, keyed by keccak256(datanetId, digest): the record and the
/// duplicate guard at once.
/// @dev Layout (low to high bits): contributor 160 | id 40 | size 27 | bondIndex 16 | commit block 11 | status 2.
/// Sizes fit 27 bits (the registry's item-size bound is 100 MB < 2^27). The commit block is kept modulo 2^11: a
/// later reveal recovers it exactly while it lies within `COMMIT_RANGE / 2` blocks of its own commit (see
/// {committedAfter}).
library ContributionSlot {
    uint256 internal constant ID_SHIFT = 160;
    uint256 internal constant SIZE_SHIFT = 200;
    uint256 internal constant BOND_SHIFT = 227;
    uint256 internal constant COMMIT_SHIFT = 243;
    uint256 internal constant STATUS_SHIFT = 254;
    uint256 internal constant MASK_40 = (1 << 40) - 1;
    uint256 internal constant MASK_27 = (1 << 27) - 1;
    uint256 internal constant MASK_16 = (1 << 16) - 1;
    uint256 internal constant MASK_160 = (1 << 160) - 1;
    /// @dev Commit blocks are kept modulo this range (11 bits).
    uint256 internal constant COMMIT_RANGE = 1 << 11;
    /// @dev Largest contribution id the slot holds.
    uint256 internal constant MAX_ID = MASK_40;
    /// @dev Clears the status bits.
    uint256 internal constant STATUS_CLEAR = ~(uint256(3) << STATUS_SHIFT);

    /// @dev The storage key of `digest` in Datanet `datanetId`.
    function key(uint256 datanetId, bytes32 digest) internal pure returns (bytes32 k) {
        assembly ("memory-safe") {
            mstore(0x00, datanetId)
            mstore(0x20, digest)
            k := keccak256(0x00, 0x40)
        }
    }

    /// @dev The fields shared by every item of one batch (contributor, bond index, commit block, status).
    function head(address contributor, uint256 bondIndex, uint256 status, uint256 commitBlock)
        internal
        pure
        returns (uint256)
    {
        return uint256(uint160(contributor)) | (bondIndex << BOND_SHIFT)
            | ((commitBlock % COMMIT_RANGE) << COMMIT_SHIFT) | (status << STATUS_SHIFT);
    }

    /// @dev `head` completed with an item's id and size.
    function withItem(uint256 h, uint256 id, uint256 size) internal pure returns (uint256) {
        return h | (id << ID_SHIFT) | (size << SIZE_SHIFT);
    }

    function contributor(uint256 s) internal pure returns (address) {
        return address(uint160(s & MASK_160));
    }

    function id(uint256 s) internal pure returns (uint256) {
        return (s >> ID_SHIFT) & MASK_40;
    }

    function size(uint256 s) internal pure returns (uint256) {
        return (s >> SIZE_SHIFT) & MASK_27;
    }

    function bondIndex(uint256 s) internal pure returns (uint256) {
        return (s >> BOND_SHIFT) & MASK_16;
    }

    function status(uint256 s) internal pure returns (uint256) {
        return s >> STATUS_SHIFT;
    }

    /// @dev `s` with its status replaced.
    function withStatus(uint256 s, uint256 newStatus) internal pure returns (uint256) {
        return (s & STATUS_CLEAR) | (newStatus << STATUS_SHIFT);
    }

    /// @dev Whether the record `s` was committed strictly after block `commitBlock`, given that its commit lies
    /// within `COMMIT_RANGE / 2 - 1` blocks of `commitBlock` (either side): the stored low bits then decide.
    function committedAfter(uint256 s, uint256 commitBlock) internal pure returns (bool) {
        uint256 ahead =
            (((s >> COMMIT_SHIFT) & (COMMIT_RANGE - 1)) + COMMIT_RANGE - (commitBlock % COMMIT_RANGE)) % COMMIT_RANGE;
        return ahead != 0 && ahead < COMMIT_RANGE / 2;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title StakeCheckpointsLib
/// @notice A timestamp-keyed history of one value (an account's staked votes, or their total) whose LATEST checkpoint
/// lives alone in one slot: a lookup at or after the latest checkpoint's key (every vote whose snapshot comes after the
/// account's last stake change) reads that one slot; older checkpoints sit in a history searched only otherwise.
/// @dev Same answers as OpenZeppelin's `Checkpoints.Trace208` for every sequence of pushes with non-decreasing keys and
/// values below 2^176 (differential fuzz test in `StakeCheckpointsLib.t.sol`): {upperLookup} = `upperLookupRecent`,
/// {latest} = `latest`, and a key below the latest one reverts with `Checkpoints.CheckpointUnorderedInsertion`.
/// Layout of `Trace.head`: `count (32 bits) | key (48) | value (176)`, `count` = checkpoints archived in `history`;
/// `history[i]` = `key (48) | value (208)` of the i-th older checkpoint, keys strictly increasing. Values are capped at
/// 2^176 - 1 (SafeCast reverts above; staked OPEN is bounded by OPEN's fixed supply, 1e27 < 2^90). The empty trace and
/// a trace holding only `(0, 0)` give the same answers (0 everywhere), so `head == 0` stands for both.
/// Write cost against `Trace208`: a first push writes one slot instead of two (length + entry); a push with a new key
/// writes the latest slot and one history entry (as `Trace208` writes its length and a new entry); a push with the same
/// key writes only the latest slot.
library StakeCheckpointsLib {
    using SafeCast for uint256;

    /// @dev A value history (see the library's layout note).
    struct Trace {
        uint256 head;
        mapping(uint256 index => uint256 checkpoint) history;
    }

    /// @dev Bits of the value in `head`.
    uint256 private constant VALUE_BITS = 176;
    /// @dev Where `head` keeps the key.
    uint256 private constant KEY_SHIFT = 176;
    /// @dev Where `head` keeps the count of archived checkpoints.
    uint256 private constant COUNT_SHIFT = 224;
    /// @dev Where a history entry keeps its key (the value is below it, 208 bits).
    uint256 private constant ENTRY_KEY_SHIFT = 208;
    uint256 private constant VALUE_MASK = (1 << VALUE_BITS) - 1;
    uint256 private constant KEY_MASK = (1 << 48) - 1;
    uint256 private constant ENTRY_VALUE_MASK = (1 << ENTRY_KEY_SHIFT) - 1;

    /// @notice Records `value` at `key` (>= the latest key; the same key overwrites the latest value).
    function push(Trace storage self, uint48 key, uint256 value) internal {
        uint256 packedValue = value.toUint176();
        uint256 l = self.head;
        uint256 lKey = (l >> KEY_SHIFT) & KEY_MASK;
        uint256 count = l >> COUNT_SHIFT;
        if (key != lKey) {
            if (key < lKey) revert Checkpoints.CheckpointUnorderedInsertion();
            if (l != 0) {
                // Archive the latest checkpoint (a lone (0, 0) reads as the empty trace and is not kept).
                self.history[count] = (lKey << ENTRY_KEY_SHIFT) | (l & VALUE_MASK);
                ++count;
            }
        }
        self.head = (count << COUNT_SHIFT) | (uint256(key) << KEY_SHIFT) | packedValue;
    }

    /// @notice The latest value (0 when empty).
    function latest(Trace storage self) internal view returns (uint256) {
        return self.head & VALUE_MASK;
    }

    /// @notice The value of the last checkpoint with a key <= `key` (0 when none): the latest slot alone when `key` is at
    /// or after the latest key, else the most recent archived checkpoint, then a binary search of the history.
    function upperLookup(Trace storage self, uint48 key) internal view returns (uint256) {
        uint256 l = self.head;
        if (key >= (l >> KEY_SHIFT) & KEY_MASK) return l & VALUE_MASK;
        uint256 high = l >> COUNT_SHIFT;
        if (high == 0) return 0;
        uint256 entry = self.history[high - 1];
        if (key >= entry >> ENTRY_KEY_SHIFT) return entry & ENTRY_VALUE_MASK;
        // The answer is among history[0 .. high - 2]: find the first entry with a key above `key`.
        --high;
        uint256 low;
        while (low < high) {
            uint256 mid = (low + high) >> 1;
            if (self.history[mid] >> ENTRY_KEY_SHIFT > key) high = mid;
            else low = mid + 1;
        }
        return low == 0 ? 0 : self.history[low - 1] & ENTRY_VALUE_MASK;
    }
}

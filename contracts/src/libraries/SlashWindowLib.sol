// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SlashWindowLib
/// @notice A sliding-window log of an operator's recent slashes in one storage word, so that the per-period slash
/// cap holds over EVERY window of the period's length, not only over fixed windows (a fixed window starting at the
/// first slash let two caps be taken seconds apart across its boundary).
/// @dev Layout: four 64-bit entries, newest in the low bits; an entry is `time (48 bits) | bps (16 bits)`, and a
/// zero entry is empty. Entries are kept in time order (newest first), so {recent} stops at the first entry at least
/// `period` old. When a fifth slash is recorded, the oldest entry is dropped if it already left the window, or else
/// its bps are folded into the next oldest entry, which is at least as recent: an entry's recorded time is never
/// earlier than the real time of the bps it holds, so the sum {recent} returns over any window is never below the
/// real sum of the slashes in that window. The cap is therefore exact while at most four slashes fall within one
/// period and errs only on the strict side (a folded slash counts a little longer) beyond that.
/// Gas: one word read and one written per slash, at most four iterations. (A decaying accumulator, the other
/// bounded-gas option, lets up to twice the cap through in one window: a full bucket, then a nearly drained one.)
library SlashWindowLib {
    /// @dev Entries in the log word.
    uint256 internal constant ENTRIES = 4;
    /// @dev Bits of an entry.
    uint256 internal constant ENTRY_BITS = 64;
    /// @dev Bits of an entry's bps field (the time sits above it).
    uint256 internal constant BPS_BITS = 16;
    /// @dev Mask of one entry.
    uint256 internal constant ENTRY_MASK = (1 << ENTRY_BITS) - 1;
    /// @dev Mask of an entry's bps field.
    uint256 internal constant BPS_MASK = (1 << BPS_BITS) - 1;
    /// @dev Shift of the oldest entry.
    uint256 internal constant OLDEST_SHIFT = (ENTRIES - 1) * ENTRY_BITS;

    /// @notice The bps recorded in `log` less than `period` seconds before `nowTs` (the slashes of the window of
    /// length `period` that ends now).
    function recent(uint256 log, uint256 nowTs, uint256 period) internal pure returns (uint256 sum) {
        for (uint256 i; i < ENTRIES; ++i) {
            uint256 entry = (log >> (i * ENTRY_BITS)) & ENTRY_MASK;
            if (entry == 0 || nowTs - (entry >> BPS_BITS) >= period) break;
            sum += entry & BPS_MASK;
        }
    }

    /// @notice `log` with a slash of `bps` (non-zero, and with {recent} + `bps` within a 16-bit cap) recorded at
    /// `nowTs` (not before any recorded time).
    function record(uint256 log, uint256 nowTs, uint256 bps, uint256 period) internal pure returns (uint256) {
        uint256 evicted = log >> OLDEST_SHIFT;
        log = (log << ENTRY_BITS) | (nowTs << BPS_BITS) | bps;
        // Fold a still-counting oldest entry into the next oldest (now in the top slot; later, so strictly safer).
        // Both lie within the window, whose total is at most the cap: the sum fits the 16-bit field.
        if (evicted != 0 && nowTs - (evicted >> BPS_BITS) < period) log += (evicted & BPS_MASK) << OLDEST_SHIFT;
        return log;
    }
}

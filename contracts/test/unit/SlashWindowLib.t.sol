// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {SlashWindowLib} from "../../src/libraries/SlashWindowLib.sol";

/// @notice SlashWindowLib against the plain list of every slash: the log never counts less than the real sum of the
/// window ending now, and counts it exactly until a fifth slash falls within one period.
contract SlashWindowLibTest is Test {
    uint256 internal constant CAP = 5_000;

    function test_recent_emptyAndExpiry() public pure {
        uint256 log;
        assertEq(SlashWindowLib.recent(log, 1_000, 100), 0);
        log = SlashWindowLib.record(log, 1_000, 700, 100);
        assertEq(SlashWindowLib.recent(log, 1_000, 100), 700);
        assertEq(SlashWindowLib.recent(log, 1_099, 100), 700, "inside the window");
        assertEq(SlashWindowLib.recent(log, 1_100, 100), 0, "a period later it has left");
    }

    function test_record_foldsTheOldestIntoTheNext() public pure {
        uint256 log;
        for (uint256 t = 1; t <= 4; ++t) {
            log = SlashWindowLib.record(log, t * 10, t, 1_000);
        }
        assertEq(SlashWindowLib.recent(log, 40, 1_000), 1 + 2 + 3 + 4);
        log = SlashWindowLib.record(log, 50, 5, 1_000);
        assertEq(SlashWindowLib.recent(log, 50, 1_000), 15, "nothing lost");
        // The slash of t=10 now counts with t=20's: until t=20 leaves the window (not t=10).
        assertEq(SlashWindowLib.recent(log, 1_010, 1_000), 15);
        assertEq(SlashWindowLib.recent(log, 1_020, 1_000), 15 - 1 - 2);
        // An expired oldest entry is dropped, not folded.
        log = SlashWindowLib.record(log, 1_025, 6, 1_000);
        assertEq(SlashWindowLib.recent(log, 1_025, 1_000), 3 + 4 + 5 + 6);
    }

    /// @dev The state of one fuzzed schedule.
    struct Run {
        uint256[] times;
        uint256[] bps;
        uint256 n;
        uint256 log;
        uint256 nowTs;
        bool folded;
    }

    /// @notice Any schedule of slashes kept within the cap by the log itself (as StakingRegistry does).
    function testFuzz_recent_neverBelowTheRealWindowSum(uint256 seed, uint8 count, uint32 period) public pure {
        count = uint8(bound(count, 1, 40));
        period = uint32(bound(period, 1, 30 days));
        Run memory run;
        run.times = new uint256[](count);
        run.bps = new uint256[](count);
        run.nowTs = 1_750_000_000;
        for (uint256 i; i < count; ++i) {
            _step(run, uint256(keccak256(abi.encode(seed, i))), period);
        }
    }

    function _step(Run memory run, uint256 r, uint256 period) internal pure {
        run.nowTs += r % 3 == 0 ? r % (2 * period) : r % (period / 4 + 1);
        uint256 counted = SlashWindowLib.recent(run.log, run.nowTs, period);
        uint256 real = _realSum(run.times, run.bps, run.n, run.nowTs, period);
        assertGe(counted, real, "the log counts less than the real window");
        if (!run.folded) assertEq(counted, real, "exact until a fold");
        if (counted >= CAP) return;
        uint256 applied = bound(r >> 128, 1, CAP - counted);
        // A fold happens when the fourth-newest entry still counts.
        uint256 fourth = (run.log >> (3 * SlashWindowLib.ENTRY_BITS)) & SlashWindowLib.ENTRY_MASK;
        if (fourth != 0 && run.nowTs - (fourth >> SlashWindowLib.BPS_BITS) < period) run.folded = true;
        run.log = SlashWindowLib.record(run.log, run.nowTs, applied, period);
        run.times[run.n] = run.nowTs;
        run.bps[run.n] = applied;
        ++run.n;
        // Every window ending at a slash holds at most the cap.
        assertLe(_realSum(run.times, run.bps, run.n, run.nowTs, period), CAP);
    }

    function _realSum(uint256[] memory times, uint256[] memory bps, uint256 n, uint256 nowTs, uint256 period)
        internal
        pure
        returns (uint256 sum)
    {
        for (uint256 i; i < n; ++i) {
            if (nowTs - times[i] < period) sum += bps[i];
        }
    }
}

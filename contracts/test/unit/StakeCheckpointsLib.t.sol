// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {StakeCheckpointsLib} from "../../src/libraries/StakeCheckpointsLib.sol";

/// @dev Holds the same history in OpenZeppelin's Trace208 (the reference) and in StakeCheckpointsLib.
contract StakeCheckpointsHarness {
    using Checkpoints for Checkpoints.Trace208;
    using StakeCheckpointsLib for StakeCheckpointsLib.Trace;

    Checkpoints.Trace208 internal _ref;
    StakeCheckpointsLib.Trace internal _trace;

    function push(uint48 key, uint256 value) external {
        _trace.push(key, value);
    }

    function pushRef(uint48 key, uint208 value) external {
        _ref.push(key, value);
    }

    function lookup(uint48 key) external view returns (uint256) {
        return _trace.upperLookup(key);
    }

    function lookupRef(uint48 key) external view returns (uint256) {
        return _ref.upperLookupRecent(key);
    }

    function latest() external view returns (uint256) {
        return _trace.latest();
    }

    function latestRef() external view returns (uint256) {
        return _ref.latest();
    }

    function length() external view returns (uint256) {
        return _ref.length();
    }
}

contract StakeCheckpointsLibTest is Test {
    StakeCheckpointsHarness internal h;

    function setUp() public {
        h = new StakeCheckpointsHarness();
    }

    function _push(uint48 key, uint256 value) internal {
        h.push(key, value);
        h.pushRef(key, uint208(value));
    }

    /// @dev Every key from just below the first to just after the last, and a few far away, answer as Trace208.
    function _assertSameEverywhere(uint48 lastKey) internal view {
        uint256 top = uint256(lastKey) + 3;
        for (uint256 k; k <= top; ++k) {
            assertEq(h.lookup(uint48(k)), h.lookupRef(uint48(k)), "upperLookup == Trace208.upperLookupRecent");
        }
        assertEq(h.lookup(type(uint48).max), h.lookupRef(type(uint48).max), "far future key");
        assertEq(h.latest(), h.latestRef(), "latest");
    }

    /// @notice Differential: random pushes (keys advancing by 0-3, so same-key overwrites, gaps and zero values
    /// happen; values up to 2^176 - 1) give the same lookups at every key and the same latest value as OpenZeppelin's
    /// Checkpoints.Trace208, after every push.
    function testFuzz_upperLookup_matchesOpenZeppelinTrace208(uint256 seed, uint256 pushes) public {
        pushes = bound(pushes, 0, 24);
        uint48 key = uint48(bound(seed % 7, 0, 6));
        for (uint256 i; i < pushes; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            key += uint48(r % 4);
            uint256 v = r >> 8;
            if (r % 5 == 0) v = 0;
            else if (r % 5 == 1) v = v % 1000;
            else v = v & type(uint176).max;
            _push(key, v);
            _assertSameEverywhere(key);
        }
        _assertSameEverywhere(key);
    }

    /// @notice Long histories: the binary search over the archived checkpoints at every key (64 distinct keys).
    function testFuzz_upperLookup_longHistoryMatches(uint256 seed) public {
        uint48 key = 1;
        for (uint256 i; i < 64; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            key += uint48(1 + (r % 3));
            _push(key, r % 1e30);
        }
        _assertSameEverywhere(key);
    }

    function test_empty_readsZero() public view {
        assertEq(h.lookup(0), 0);
        assertEq(h.lookup(type(uint48).max), 0);
        assertEq(h.latest(), 0);
    }

    function test_zeroCheckpointAtKeyZero_sameAsEmpty() public {
        _push(0, 0);
        _assertSameEverywhere(0);
        _push(5, 7);
        _push(5, 9);
        _push(8, 0);
        _assertSameEverywhere(8);
    }

    function test_push_revertsForAnEarlierKey() public {
        h.push(10, 1);
        vm.expectRevert(Checkpoints.CheckpointUnorderedInsertion.selector);
        h.push(9, 1);
        assertEq(h.latest(), 1, "unchanged");
        assertEq(h.lookup(10), 1, "unchanged");
    }

    function test_push_revertsAboveUint176() public {
        h.push(1, type(uint176).max);
        assertEq(h.latest(), type(uint176).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                SafeCast.SafeCastOverflowedUintDowncast.selector, 176, uint256(type(uint176).max) + 1
            )
        );
        h.push(2, uint256(type(uint176).max) + 1);
        assertEq(h.lookup(2), type(uint176).max, "unchanged");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MeritDecayLib} from "../../src/libraries/MeritDecayLib.sol";

contract MeritDecayLibHarness {
    function decay(uint256 value, uint256 elapsed, uint256 halfLife) external pure returns (uint256) {
        return MeritDecayLib.decay(value, elapsed, halfLife);
    }

    function factorOf(uint256 elapsed, uint256 halfLife) external pure returns (uint256, uint256) {
        return MeritDecayLib.factorOf(elapsed, halfLife);
    }

    function applyFactor(uint256 value, uint256 factor, uint256 halvings) external pure returns (uint256) {
        return MeritDecayLib.applyFactor(value, factor, halvings);
    }
}

contract MeritDecayLibTest is Test {
    MeritDecayLibHarness internal h = new MeritDecayLibHarness();

    /// @notice The split factor (cached once per vote snapshot by the Governor) fits 128 bits, is 0 exactly for whole
    /// half-lives, and applied to any value gives the one-shot decay's result, monotone in the value.
    function testFuzz_factorOf_fitsAndMatchesDecay(uint256 elapsed, uint256 halfLife, uint256 a, uint256 b)
        public
        view
    {
        halfLife = bound(halfLife, 7 days, 4 * 365 days);
        elapsed = bound(elapsed, 0, 300 * halfLife);
        a = bound(a, 0, type(uint128).max);
        b = bound(b, a, type(uint128).max);
        (uint256 factor, uint256 halvings) = h.factorOf(elapsed, halfLife);
        assertLt(factor, 1 << 128, "fits uint128");
        if (elapsed % halfLife == 0 || halvings >= 256) assertEq(factor, 0, "whole half-lives: exact shift");
        else assertGt(factor, (1 << 128) / 4, "e^-x > 1/4 for x < ln 2");
        assertEq(halvings, Math.min(elapsed / halfLife, 256));
        assertEq(h.applyFactor(a, factor, halvings), h.decay(a, elapsed, halfLife));
        // The product fast path (values < 2^128) equals the full-precision mulDiv.
        uint256 expected = halvings >= 256 ? 0 : (factor == 0 ? a : Math.mulDiv(a, factor, 1 << 128)) >> halvings;
        assertEq(h.applyFactor(a, factor, halvings), expected, "fast path == mulDiv");
        uint256 big = type(uint256).max - a;
        uint256 bigExpected = halvings >= 256 ? 0 : (factor == 0 ? big : Math.mulDiv(big, factor, 1 << 128)) >> halvings;
        assertEq(h.applyFactor(big, factor, halvings), bigExpected, "values >= 2^128 take mulDiv");
        assertLe(h.applyFactor(a, factor, halvings), h.applyFactor(b, factor, halvings), "monotone");
    }

    function test_decay_zeroElapsedIsIdentity() public view {
        assertEq(h.decay(123_456e18, 0, 30 days), 123_456e18);
    }

    function test_decay_wholeHalfLivesAreExactShifts() public view {
        assertEq(h.decay(1e27, 30 days, 30 days), 5e26);
        assertEq(h.decay(1e27, 90 days, 30 days), 125e24);
        assertEq(h.decay(type(uint256).max, 256 * 30 days, 30 days), 0);
        assertEq(h.decay(0, 5, 30 days), 0);
    }

    /// @dev References computed with 120-digit decimals: floor(1e27 x 2^(-a/b)).
    function _checkReference(uint256 a, uint256 b, uint256 expected) internal view {
        uint256 got = h.decay(1e27, a, b);
        assertLe(got, expected, "never above the true value");
        assertLe(expected - got, uint256(1e27) / 2 ** 63 + 1, "within value x 2^-63 + 1");
    }

    function test_decay_matchesHighPrecisionReference() public view {
        _checkReference(1, 2, 707106781186547524400844362);
        _checkReference(1, 3, 793700525984099737375852819);
        _checkReference(3, 4, 594603557501360533358749985);
        _checkReference(86_399, 86_400, 500004011284496335455500625);
        _checkReference(1_000_000, 30 days, 765353168333510114996325611);
    }

    function testFuzz_decay_neverAboveTrueValueAndMonotone(uint256 value, uint256 e1, uint256 e2, uint256 halfLife)
        public
        view
    {
        value = bound(value, 0, 1e40);
        halfLife = bound(halfLife, 7 days, 4 * 365 days);
        e1 = bound(e1, 0, 100 * halfLife);
        e2 = bound(e2, e1, 100 * halfLife);
        uint256 d1 = h.decay(value, e1, halfLife);
        uint256 d2 = h.decay(value, e2, halfLife);
        assertLe(d1, value);
        assertLe(d2, d1, "non-increasing in elapsed time");
    }

    function testFuzz_decay_composesAcrossHalfLives(uint256 value, uint256 e, uint256 halfLife) public view {
        value = bound(value, 0, 1e40);
        halfLife = bound(halfLife, 1, 4 * 365 days);
        e = bound(e, 0, 50 * halfLife);
        assertEq(h.decay(value, e + halfLife, halfLife), h.decay(value, e, halfLife) >> 1);
    }

    function testFuzz_decay_productRule(uint256 e1, uint256 e2) public view {
        uint256 halfLife = 30 days;
        e1 = bound(e1, 0, 10 * halfLife);
        e2 = bound(e2, 0, 10 * halfLife);
        uint256 value = 1e36;
        // 2^-(a+b) = 2^-a x 2^-b, up to the documented < 2^-62 relative error per evaluation.
        uint256 direct = h.decay(value, e1 + e2, halfLife);
        uint256 composed = h.decay(h.decay(value, e1, halfLife), e2, halfLife);
        assertApproxEqRel(direct, composed, 1e3); // 1e-15 relative
    }

    /// @dev The factor as first written: `mulDiv` for `x` and one Horner step per loop iteration (the reference for
    /// the unrolled loop and the plain-arithmetic `x`).
    function _referenceFactorOf(uint256 elapsed, uint256 halfLife) internal pure returns (uint256 factor, uint256 n) {
        n = elapsed / halfLife;
        if (n >= 256) return (0, 256);
        uint256 rem = elapsed % halfLife;
        if (rem == 0) return (0, n);
        uint256 x = Math.mulDiv(rem, MeritDecayLib.LN2_Q128, halfLife);
        uint256 r = 1 << 128;
        for (uint256 k = MeritDecayLib.TAYLOR_TERMS; k != 0; --k) {
            r = (1 << 128) - ((x * r) >> 128) / k;
        }
        factor = r - MeritDecayLib.SAFETY_MARGIN_Q128;
    }

    /// @notice Bit-identical to the reference for the governed half-lives and for any half-life (mulDiv branch).
    function testFuzz_factorOf_sameAsReferenceLoop(uint256 elapsed, uint256 halfLife, bool huge) public view {
        halfLife = huge ? bound(halfLife, 1 << 128, type(uint256).max) : bound(halfLife, 1, 4 * 365 days);
        elapsed = bound(elapsed, 0, huge ? type(uint256).max : 300 * halfLife);
        (uint256 f, uint256 n) = h.factorOf(elapsed, halfLife);
        (uint256 rf, uint256 rn) = _referenceFactorOf(elapsed, halfLife);
        assertEq(f, rf, "factor");
        assertEq(n, rn, "halvings");
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MeritDecayLib
/// @notice Exact-enough exponential decay of merit for the LineageGovernor: `value x 2^(-elapsed / halfLife)`.
/// @dev Fixed point (Q128). The exponent `elapsed / halfLife` splits into whole half-lives `n` (an exact right
/// shift) and a remainder `rem < halfLife`. For `rem > 0`, `2^(-rem / halfLife) = e^(-x)` with
/// `x = rem x ln2 / halfLife < ln2`, evaluated as its Taylor series to 20 terms in Horner form
/// (`r = 1 - x r / k` for k = 20..1), then lowered by a safety margin of 2^64 units (2^-64).
/// Precision: the series' truncation (< 0.7^21 / 21! ~ 1e-23 relative), the floors of the Horner steps (< 8 units
/// of 2^-128) and of `x` (< 2 units) are all far below the 2^-64 margin, so the result NEVER EXCEEDS the true value
/// and falls short of it by less than `value x 2^-63 + 1`. Whole half-lives are exact (`decay(v, k x h, h) = v >> k`).
/// Anyone can recompute it off-chain. Gas: ~1,000.
library MeritDecayLib {
    /// @dev 1.0 in Q128.
    uint256 internal constant ONE_Q128 = 1 << 128;
    /// @dev floor(ln 2 x 2^128) (generated with 120-digit decimals).
    uint256 internal constant LN2_Q128 = 0xb17217f7d1cf79abc9e3b39803f2f6af;
    /// @dev Terms of the Taylor series of e^(-x) for x < ln 2 ({expNegQ128} unrolls exactly this many steps).
    uint256 internal constant TAYLOR_TERMS = 20;
    /// @dev Margin subtracted so that rounding can never push the factor above e^(-x): 2^64 units of 2^-128.
    uint256 internal constant SAFETY_MARGIN_Q128 = 1 << 64;
    /// @dev Shifting by this many halvings or more leaves nothing of any uint256.
    uint256 internal constant MAX_HALVINGS = 256;

    /// @notice `value x 2^(-elapsed / halfLife)`, rounded down (see the library's precision note).
    /// @param value The undecayed amount.
    /// @param elapsed Seconds since the amount was valued (the epoch end).
    /// @param halfLife Seconds for the amount to halve; must be non-zero.
    function decay(uint256 value, uint256 elapsed, uint256 halfLife) internal pure returns (uint256) {
        (uint256 factor, uint256 halvings) = factorOf(elapsed, halfLife);
        return applyFactor(value, factor, halvings);
    }

    /// @notice Splits `2^(-elapsed / halfLife)` into whole halvings and the Q128 factor of the remainder, so that one
    /// decay can be computed once and applied to many values ({applyFactor}) with the same result as {decay}.
    /// @return factor `e^(-rem x ln2 / halfLife)` in Q128 (in (0.3, 1) x 2^128, so it fits 128 bits), or 0 when the
    /// remainder is zero (the factor is then exactly 1).
    /// @return halvings `elapsed / halfLife`, or `MAX_HALVINGS` when nothing of any value is left.
    function factorOf(uint256 elapsed, uint256 halfLife) internal pure returns (uint256 factor, uint256 halvings) {
        halvings = elapsed / halfLife;
        if (halvings >= MAX_HALVINGS) return (0, MAX_HALVINGS);
        uint256 rem = elapsed % halfLife;
        // `rem < halfLife`: below 2^128 the product fits 256 bits and the division is mulDiv's exact floor.
        if (rem != 0) {
            factor = expNegQ128(rem < ONE_Q128 ? (rem * LN2_Q128) / halfLife : Math.mulDiv(rem, LN2_Q128, halfLife));
        }
    }

    /// @notice `value` decayed by a split factor from {factorOf}: `floor(value x factor / 2^128) >> halvings` (a zero
    /// factor stands for exactly 1).
    function applyFactor(uint256 value, uint256 factor, uint256 halvings) internal pure returns (uint256) {
        if (halvings >= MAX_HALVINGS || value == 0) return 0;
        // `factor < 2^128`: for `value < 2^128` the product fits 256 bits and the shift is the exact floor.
        if (factor != 0) value = value < ONE_Q128 ? (value * factor) >> 128 : Math.mulDiv(value, factor, ONE_Q128);
        return value >> halvings;
    }

    /// @notice `e^(-x)` in Q128 for `0 <= x < ln 2` in Q128, never above the true value (see the precision note).
    function expNegQ128(uint256 x) internal pure returns (uint256 r) {
        // x < 0.7 x 2^128 and r <= 2^128: x r < 2^256, and x r / 2^128 / k < 1, so r stays in (0.3, 1].
        // The 20 Horner steps unrolled (k = 20 down to 1; TAYLOR_TERMS = 20): the same steps in the same order as a loop.
        assembly ("memory-safe") {
            let one := ONE_Q128
            r := one
            // r = 1 - floor(floor(x r / 2^128) / k)
            r := sub(one, div(shr(128, mul(x, r)), 20))
            r := sub(one, div(shr(128, mul(x, r)), 19))
            r := sub(one, div(shr(128, mul(x, r)), 18))
            r := sub(one, div(shr(128, mul(x, r)), 17))
            r := sub(one, div(shr(128, mul(x, r)), 16))
            r := sub(one, div(shr(128, mul(x, r)), 15))
            r := sub(one, div(shr(128, mul(x, r)), 14))
            r := sub(one, div(shr(128, mul(x, r)), 13))
            r := sub(one, div(shr(128, mul(x, r)), 12))
            r := sub(one, div(shr(128, mul(x, r)), 11))
            r := sub(one, div(shr(128, mul(x, r)), 10))
            r := sub(one, div(shr(128, mul(x, r)), 9))
            r := sub(one, div(shr(128, mul(x, r)), 8))
            r := sub(one, div(shr(128, mul(x, r)), 7))
            r := sub(one, div(shr(128, mul(x, r)), 6))
            r := sub(one, div(shr(128, mul(x, r)), 5))
            r := sub(one, div(shr(128, mul(x, r)), 4))
            r := sub(one, div(shr(128, mul(x, r)), 3))
            r := sub(one, div(shr(128, mul(x, r)), 2))
            r := sub(one, div(shr(128, mul(x, r)), 1))
            r := sub(r, SAFETY_MARGIN_Q128)
        }
    }
}

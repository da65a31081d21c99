// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MeritDecayLib
/// @notice Exact-enough exponential decay of merit for the LineageGovernor: `value x 2^(-elapsed / halfLife)`.
/// @dev Fixed point. The exponent `elapsed / halfLife` is split into an integer part `n` (a right shift) and a
/// fraction `f` in [0, 1) taken to 64 bits, rounded UP (`ceil(rem x 2^64 / halfLife)`). `2^(-f)` is the product,
/// over the set bits `i` of `f`, of the constants `floor(2^128 x 2^(-2^-i))` (Q128, generated with 120-digit
/// decimals), each product floored back to Q128. Precision: every step rounds toward zero decay-value, so the
/// result never exceeds the true value `value x 2^(-elapsed / halfLife)`, and falls short of it by less than
/// `value x 2^-63 + 1` (the fraction's rounding costs at most ln2 x 2^-64 relative, the 64 floors at most 2^-121).
/// Anyone can recompute it off-chain. Requires `0 < halfLife < 2^64`.
/// Gas: a 64-step loop over a 1 KiB table of constants (~3,000 gas).
library MeritDecayLib {
    /// @dev 1.0 in Q128.
    uint256 internal constant ONE_Q128 = 1 << 128;
    /// @dev Bits of the fractional exponent.
    uint256 internal constant FRACTION_BITS = 64;
    /// @dev Shifting by this many halvings or more leaves nothing of any uint256.
    uint256 internal constant MAX_HALVINGS = 256;

    /// @notice `value x 2^(-elapsed / halfLife)`, rounded down (see the library's precision note).
    /// @param value The undecayed amount.
    /// @param elapsed Seconds since the amount was valued (the epoch end).
    /// @param halfLife Seconds for the amount to halve; must be non-zero.
    function decay(uint256 value, uint256 elapsed, uint256 halfLife) internal pure returns (uint256) {
        uint256 halvings = elapsed / halfLife;
        if (halvings >= MAX_HALVINGS || value == 0) return 0;
        uint256 factor = pow2NegFraction(Math.mulDiv(elapsed % halfLife, 1 << FRACTION_BITS, halfLife, Math.Rounding.Ceil));
        return Math.mulDiv(value, factor, ONE_Q128) >> halvings;
    }

    /// @notice `2^(-frac / 2^64)` in Q128 for `frac < 2^64`, rounded down.
    /// @dev Walks the 64 bits of `frac` from the most significant; bit `i` (1-based from the top) multiplies by
    /// `floor(2^128 x 2^(-2^-i))`, entry `i - 1` of {POW2_NEG_TABLE}, and floors back to Q128.
    function pow2NegFraction(uint256 frac) internal pure returns (uint256 r) {
        bytes memory table = POW2_NEG_TABLE;
        r = ONE_Q128;
        assembly ("memory-safe") {
            let entry := add(table, 32)
            // `frac` holds FRACTION_BITS = 64 bits: shift each to the top bit and multiply when set.
            for { let i := 0 } lt(i, 64) { i := add(i, 1) } {
                if and(shr(sub(63, i), frac), 1) {
                    // r = floor(r x table[i] / 2^128); table[i] is the high 16 bytes of the loaded word.
                    r := shr(128, mul(r, shr(128, mload(add(entry, shl(4, i))))))
                }
            }
        }
    }

    /// @dev `floor(2^128 x 2^(-2^-i))` for i = 1..64, 16 bytes each (generated with 120-digit decimals).
    bytes internal constant POW2_NEG_TABLE = hex""
        hex"b504f333f9de6484597d89b3754abe9f" // 2^(-2^-1)
        hex"d744fccad69d6af439a68bb9902d3fde" // 2^(-2^-2)
        hex"eac0c6e7dd24392ed02d75b3706e54fa" // 2^(-2^-3)
        hex"f5257d152486cc2c7b9d0c7aed980fc3" // 2^(-2^-4)
        hex"fa83b2db722a033a7c25bb14315d7fcc" // 2^(-2^-5)
        hex"fd3e0c0cf486c174853f3a5931e0ee03" // 2^(-2^-6)
        hex"fe9e115c7b8f884badd25995e79d2f09" // 2^(-2^-7)
        hex"ff4ecb59511ec8a5301ba217ef18dd7c" // 2^(-2^-8)
        hex"ffa756521c8daed19f3a1b48fb94c589" // 2^(-2^-9)
        hex"ffd3a751c0f7e10bd3b9f8ae012fbe06" // 2^(-2^-10)
        hex"ffe9d2b2f7db2755ddf1d28a378a438c" // 2^(-2^-11)
        hex"fff4e91bff1b8c3d88338e0ebf284a4d" // 2^(-2^-12)
        hex"fffa747ea0040664238f92f792405805" // 2^(-2^-13)
        hex"fffd3a3b7814eb53cd7629d70fea116a" // 2^(-2^-14)
        hex"fffe9d1cc60ddab126de1aec4a87e7b8" // 2^(-2^-15)
        hex"ffff4e8e25879bfa09ea263360240c1a" // 2^(-2^-16)
        hex"ffffa7470363f4515426d76c762b6b61" // 2^(-2^-17)
        hex"ffffd3a37dda03133bde87a8379c8932" // 2^(-2^-18)
        hex"ffffe9d1bdf703aef21ea4dcfb0682d8" // 2^(-2^-19)
        hex"fffff4e8debe025e24128a3d460731f1" // 2^(-2^-20)
        hex"fffffa746f4fa1506788fbc89750bf71" // 2^(-2^-21)
        hex"fffffd3a37a3f8b07e7c4871dc00d76e" // 2^(-2^-22)
        hex"fffffe9d1bd1065a50971275792f1c83" // 2^(-2^-23)
        hex"ffffff4e8de845adac77243cd0914b37" // 2^(-2^-24)
        hex"ffffffa746f41376f74124cd483186d4" // 2^(-2^-25)
        hex"ffffffd3a37a05e383e14c90273c94f5" // 2^(-2^-26)
        hex"ffffffe9d1bd01fbc400bf822dc936b5" // 2^(-2^-27)
        hex"fffffff4e8de80c062846365949b61af" // 2^(-2^-28)
        hex"fffffffa746f4050d1633246a8a0e09a" // 2^(-2^-29)
        hex"fffffffd3a37a02490b9d93da3c1ebcf" // 2^(-2^-30)
        hex"fffffffe9d1bd011525efca410b8eab7" // 2^(-2^-31)
        hex"ffffffff4e8de8086bb002532d71e54d" // 2^(-2^-32)
        hex"ffffffffa746f40426782229daaa3cfa" // 2^(-2^-33)
        hex"ffffffffd3a37a020f641954fda6eedd" // 2^(-2^-34)
        hex"ffffffffe9d1bd0106bc0eba82d29b40" // 2^(-2^-35)
        hex"fffffffff4e8de80832087e142666c8b" // 2^(-2^-36)
        hex"fffffffffa746f404180e411a17228bf" // 2^(-2^-37)
        hex"fffffffffd3a37a020bc9a1110c8c656" // 2^(-2^-38)
        hex"fffffffffe9d1bd0105d570a98684e53" // 2^(-2^-39)
        hex"ffffffffff4e8de8082e6e05d03521c9" // 2^(-2^-40)
        hex"ffffffffffa746f4041727a3091acf87" // 2^(-2^-41)
        hex"ffffffffffd3a37a020b8ff98ccd776b" // 2^(-2^-42)
        hex"ffffffffffe9d1bd0105c706c876bf9f" // 2^(-2^-43)
        hex"fffffffffff4e8de8082e345e4bf60ca" // 2^(-2^-44)
        hex"fffffffffffa746f404171939280b0a3" // 2^(-2^-45)
        hex"fffffffffffd3a37a020b8c5f1489861" // 2^(-2^-46)
        hex"fffffffffffe9d1bd0105c6202a65c34" // 2^(-2^-47)
        hex"ffffffffffff4e8de8082e30c3d3b21b" // 2^(-2^-48)
        hex"ffffffffffffa746f40417185289fa0d" // 2^(-2^-49)
        hex"ffffffffffffd3a37a020b8c256d0547" // 2^(-2^-50)
        hex"ffffffffffffe9d1bd0105c611c084b3" // 2^(-2^-51)
        hex"fffffffffffff4e8de8082e308a2c2dd" // 2^(-2^-52)
        hex"fffffffffffffa746f4041718442018f" // 2^(-2^-53)
        hex"fffffffffffffd3a37a020b8c21d28d0" // 2^(-2^-54)
        hex"fffffffffffffe9d1bd0105c610d9e6a" // 2^(-2^-55)
        hex"ffffffffffffff4e8de8082e308691b5" // 2^(-2^-56)
        hex"ffffffffffffffa746f404171843397a" // 2^(-2^-57)
        hex"ffffffffffffffd3a37a020b8c2198e5" // 2^(-2^-58)
        hex"ffffffffffffffe9d1bd0105c610cb7c" // 2^(-2^-59)
        hex"fffffffffffffff4e8de8082e3086580" // 2^(-2^-60)
        hex"fffffffffffffffa746f4041718432b1" // 2^(-2^-61)
        hex"fffffffffffffffd3a37a020b8c21954" // 2^(-2^-62)
        hex"fffffffffffffffe9d1bd0105c610ca9" // 2^(-2^-63)
        hex"ffffffffffffffff4e8de8082e308654" // 2^(-2^-64)
    ;
}

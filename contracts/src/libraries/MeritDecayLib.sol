// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title MeritDecayLib
/// @notice Exact-enough exponential decay of merit for the LineageGovernor: `value x 2^(-elapsed / halfLife)`.
/// @dev Fixed point. The exponent `elapsed / halfLife` is split into an integer part `n` (a right shift) and a
/// fraction `f` in [0, 1) taken to 64 bits (`floor(rem x 2^64 / halfLife)`). `2^(-f)` is the product, over the set
/// bits `i` of `f`, of the constants `floor(2^128 x 2^(-2^-i))` (Q128, generated with 120-digit decimals), each
/// product floored back to Q128. Precision: every step rounds down, so the result never exceeds the true value,
/// and the relative error is below 2^-62 (64 floors of relative size <= 2^-127 each, plus <= ln2 x 2^-64 from
/// truncating the fraction), i.e. off by at most `value / 2^62 + 1` wei. Anyone can recompute it off-chain.
/// Gas: at most 64 conditional multiplications (~2,000 gas).
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
        uint256 factor = pow2NegFraction(((elapsed % halfLife) << FRACTION_BITS) / halfLife);
        return Math.mulDiv(value, factor, ONE_Q128) >> halvings;
    }

    /// @notice `2^(-frac / 2^64)` in Q128 for `frac < 2^64`, rounded down.
    function pow2NegFraction(uint256 frac) internal pure returns (uint256 r) {
        r = ONE_Q128;
        unchecked {
            if (frac & 0x8000000000000000 != 0) r = (r * 0xb504f333f9de6484597d89b3754abe9f) >> 128; // 2^(-2^-1)
            if (frac & 0x4000000000000000 != 0) r = (r * 0xd744fccad69d6af439a68bb9902d3fde) >> 128; // 2^(-2^-2)
            if (frac & 0x2000000000000000 != 0) r = (r * 0xeac0c6e7dd24392ed02d75b3706e54fa) >> 128; // 2^(-2^-3)
            if (frac & 0x1000000000000000 != 0) r = (r * 0xf5257d152486cc2c7b9d0c7aed980fc3) >> 128; // 2^(-2^-4)
            if (frac & 0x800000000000000 != 0) r = (r * 0xfa83b2db722a033a7c25bb14315d7fcc) >> 128; // 2^(-2^-5)
            if (frac & 0x400000000000000 != 0) r = (r * 0xfd3e0c0cf486c174853f3a5931e0ee03) >> 128; // 2^(-2^-6)
            if (frac & 0x200000000000000 != 0) r = (r * 0xfe9e115c7b8f884badd25995e79d2f09) >> 128; // 2^(-2^-7)
            if (frac & 0x100000000000000 != 0) r = (r * 0xff4ecb59511ec8a5301ba217ef18dd7c) >> 128; // 2^(-2^-8)
            if (frac & 0x80000000000000 != 0) r = (r * 0xffa756521c8daed19f3a1b48fb94c589) >> 128; // 2^(-2^-9)
            if (frac & 0x40000000000000 != 0) r = (r * 0xffd3a751c0f7e10bd3b9f8ae012fbe06) >> 128; // 2^(-2^-10)
            if (frac & 0x20000000000000 != 0) r = (r * 0xffe9d2b2f7db2755ddf1d28a378a438c) >> 128; // 2^(-2^-11)
            if (frac & 0x10000000000000 != 0) r = (r * 0xfff4e91bff1b8c3d88338e0ebf284a4d) >> 128; // 2^(-2^-12)
            if (frac & 0x8000000000000 != 0) r = (r * 0xfffa747ea0040664238f92f792405805) >> 128; // 2^(-2^-13)
            if (frac & 0x4000000000000 != 0) r = (r * 0xfffd3a3b7814eb53cd7629d70fea116a) >> 128; // 2^(-2^-14)
            if (frac & 0x2000000000000 != 0) r = (r * 0xfffe9d1cc60ddab126de1aec4a87e7b8) >> 128; // 2^(-2^-15)
            if (frac & 0x1000000000000 != 0) r = (r * 0xffff4e8e25879bfa09ea263360240c1a) >> 128; // 2^(-2^-16)
            if (frac & 0x800000000000 != 0) r = (r * 0xffffa7470363f4515426d76c762b6b61) >> 128; // 2^(-2^-17)
            if (frac & 0x400000000000 != 0) r = (r * 0xffffd3a37dda03133bde87a8379c8932) >> 128; // 2^(-2^-18)
            if (frac & 0x200000000000 != 0) r = (r * 0xffffe9d1bdf703aef21ea4dcfb0682d8) >> 128; // 2^(-2^-19)
            if (frac & 0x100000000000 != 0) r = (r * 0xfffff4e8debe025e24128a3d460731f1) >> 128; // 2^(-2^-20)
            if (frac & 0x80000000000 != 0) r = (r * 0xfffffa746f4fa1506788fbc89750bf71) >> 128; // 2^(-2^-21)
            if (frac & 0x40000000000 != 0) r = (r * 0xfffffd3a37a3f8b07e7c4871dc00d76e) >> 128; // 2^(-2^-22)
            if (frac & 0x20000000000 != 0) r = (r * 0xfffffe9d1bd1065a50971275792f1c83) >> 128; // 2^(-2^-23)
            if (frac & 0x10000000000 != 0) r = (r * 0xffffff4e8de845adac77243cd0914b37) >> 128; // 2^(-2^-24)
            if (frac & 0x8000000000 != 0) r = (r * 0xffffffa746f41376f74124cd483186d4) >> 128; // 2^(-2^-25)
            if (frac & 0x4000000000 != 0) r = (r * 0xffffffd3a37a05e383e14c90273c94f5) >> 128; // 2^(-2^-26)
            if (frac & 0x2000000000 != 0) r = (r * 0xffffffe9d1bd01fbc400bf822dc936b5) >> 128; // 2^(-2^-27)
            if (frac & 0x1000000000 != 0) r = (r * 0xfffffff4e8de80c062846365949b61af) >> 128; // 2^(-2^-28)
            if (frac & 0x800000000 != 0) r = (r * 0xfffffffa746f4050d1633246a8a0e09a) >> 128; // 2^(-2^-29)
            if (frac & 0x400000000 != 0) r = (r * 0xfffffffd3a37a02490b9d93da3c1ebcf) >> 128; // 2^(-2^-30)
            if (frac & 0x200000000 != 0) r = (r * 0xfffffffe9d1bd011525efca410b8eab7) >> 128; // 2^(-2^-31)
            if (frac & 0x100000000 != 0) r = (r * 0xffffffff4e8de8086bb002532d71e54d) >> 128; // 2^(-2^-32)
            if (frac & 0x80000000 != 0) r = (r * 0xffffffffa746f40426782229daaa3cfa) >> 128; // 2^(-2^-33)
            if (frac & 0x40000000 != 0) r = (r * 0xffffffffd3a37a020f641954fda6eedd) >> 128; // 2^(-2^-34)
            if (frac & 0x20000000 != 0) r = (r * 0xffffffffe9d1bd0106bc0eba82d29b40) >> 128; // 2^(-2^-35)
            if (frac & 0x10000000 != 0) r = (r * 0xfffffffff4e8de80832087e142666c8b) >> 128; // 2^(-2^-36)
            if (frac & 0x8000000 != 0) r = (r * 0xfffffffffa746f404180e411a17228bf) >> 128; // 2^(-2^-37)
            if (frac & 0x4000000 != 0) r = (r * 0xfffffffffd3a37a020bc9a1110c8c656) >> 128; // 2^(-2^-38)
            if (frac & 0x2000000 != 0) r = (r * 0xfffffffffe9d1bd0105d570a98684e53) >> 128; // 2^(-2^-39)
            if (frac & 0x1000000 != 0) r = (r * 0xffffffffff4e8de8082e6e05d03521c9) >> 128; // 2^(-2^-40)
            if (frac & 0x800000 != 0) r = (r * 0xffffffffffa746f4041727a3091acf87) >> 128; // 2^(-2^-41)
            if (frac & 0x400000 != 0) r = (r * 0xffffffffffd3a37a020b8ff98ccd776b) >> 128; // 2^(-2^-42)
            if (frac & 0x200000 != 0) r = (r * 0xffffffffffe9d1bd0105c706c876bf9f) >> 128; // 2^(-2^-43)
            if (frac & 0x100000 != 0) r = (r * 0xfffffffffff4e8de8082e345e4bf60ca) >> 128; // 2^(-2^-44)
            if (frac & 0x80000 != 0) r = (r * 0xfffffffffffa746f404171939280b0a3) >> 128; // 2^(-2^-45)
            if (frac & 0x40000 != 0) r = (r * 0xfffffffffffd3a37a020b8c5f1489861) >> 128; // 2^(-2^-46)
            if (frac & 0x20000 != 0) r = (r * 0xfffffffffffe9d1bd0105c6202a65c34) >> 128; // 2^(-2^-47)
            if (frac & 0x10000 != 0) r = (r * 0xffffffffffff4e8de8082e30c3d3b21b) >> 128; // 2^(-2^-48)
            if (frac & 0x8000 != 0) r = (r * 0xffffffffffffa746f40417185289fa0d) >> 128; // 2^(-2^-49)
            if (frac & 0x4000 != 0) r = (r * 0xffffffffffffd3a37a020b8c256d0547) >> 128; // 2^(-2^-50)
            if (frac & 0x2000 != 0) r = (r * 0xffffffffffffe9d1bd0105c611c084b3) >> 128; // 2^(-2^-51)
            if (frac & 0x1000 != 0) r = (r * 0xfffffffffffff4e8de8082e308a2c2dd) >> 128; // 2^(-2^-52)
            if (frac & 0x800 != 0) r = (r * 0xfffffffffffffa746f4041718442018f) >> 128; // 2^(-2^-53)
            if (frac & 0x400 != 0) r = (r * 0xfffffffffffffd3a37a020b8c21d28d0) >> 128; // 2^(-2^-54)
            if (frac & 0x200 != 0) r = (r * 0xfffffffffffffe9d1bd0105c610d9e6a) >> 128; // 2^(-2^-55)
            if (frac & 0x100 != 0) r = (r * 0xffffffffffffff4e8de8082e308691b5) >> 128; // 2^(-2^-56)
            if (frac & 0x80 != 0) r = (r * 0xffffffffffffffa746f404171843397a) >> 128; // 2^(-2^-57)
            if (frac & 0x40 != 0) r = (r * 0xffffffffffffffd3a37a020b8c2198e5) >> 128; // 2^(-2^-58)
            if (frac & 0x20 != 0) r = (r * 0xffffffffffffffe9d1bd0105c610cb7c) >> 128; // 2^(-2^-59)
            if (frac & 0x10 != 0) r = (r * 0xfffffffffffffff4e8de8082e3086580) >> 128; // 2^(-2^-60)
            if (frac & 0x8 != 0) r = (r * 0xfffffffffffffffa746f4041718432b1) >> 128; // 2^(-2^-61)
            if (frac & 0x4 != 0) r = (r * 0xfffffffffffffffd3a37a020b8c21954) >> 128; // 2^(-2^-62)
            if (frac & 0x2 != 0) r = (r * 0xfffffffffffffffe9d1bd0105c610ca9) >> 128; // 2^(-2^-63)
            if (frac & 0x1 != 0) r = (r * 0xffffffffffffffff4e8de8082e308654) >> 128; // 2^(-2^-64)
        }
    }
}

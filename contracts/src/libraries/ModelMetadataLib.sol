// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title CidV1Raw
/// @notice Renders a sha2-256 content digest as the CIDv1 `raw` string the content store uses
/// (PROTOCOL.md, "Hashes and identifiers"): multibase base32 lower (`b`), version 1, codec raw (0x55),
/// multihash sha2-256 (0x12, 32 bytes) — "bafkrei..." (59 characters).
/// @dev Lets the ModelRegistry store metadata as one bytes32 slot and still answer ERC-721 `tokenURI`.
library CidV1Raw {
    /// @dev RFC 4648 base32 alphabet, lower case.
    bytes32 private constant ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    /// @dev CIDv1 prefix bytes: version 1, raw codec 0x55, sha2-256 0x12, length 0x20.
    bytes4 private constant PREFIX = 0x01551220;
    /// @dev 36 bytes = 288 bits = 58 base32 characters (the last one padded with zero bits), plus the `b` prefix.
    uint256 private constant CHARS = 59;

    /// @notice The CIDv1 raw string of `digest`.
    function toString(bytes32 digest) internal pure returns (string memory) {
        bytes memory input = abi.encodePacked(PREFIX, digest);
        bytes memory out = new bytes(CHARS);
        out[0] = "b";
        uint256 buffer;
        uint256 bits;
        uint256 j = 1;
        for (uint256 i; i < input.length; ++i) {
            buffer = ((buffer << 8) | uint8(input[i])) & 0xffff;
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[j++] = ALPHABET[(buffer >> bits) & 31];
            }
        }
        if (bits > 0) out[j] = ALPHABET[(buffer << (5 - bits)) & 31];
        return string(out);
    }

    /// @notice `ipfs://` followed by the CIDv1 raw string of `digest`.
    function toURI(bytes32 digest) internal pure returns (string memory) {
        return string.concat("ipfs://", toString(digest));
    }
}

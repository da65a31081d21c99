// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoreFixture} from "./base/CoreFixture.sol";

/// @notice Fixed vectors from the SDK's version tree builder (`npx tsx sdk/datanet/vectors.ts`; `datanet.test.ts`
/// checks this file still holds them): the registry verifies the SDK's proofs against the SDK's root.
contract DatanetTreeVectorsTest is CoreFixture {
    bytes32 internal constant ROOT = 0x1370c109222939278d9c08d0dff60a141b318bb1270f1252c8897e79c09e18f0;
    uint256 internal dn;

    function setUp() public override {
        super.setUp();
        dn = _openDatanet();
        _commitFor(contributor, dn, _items(1, 5, 10));
        vm.prank(contributor);
        registry.contributeBatch(dn, _items(1, 5, 10), ANY_BOND, _lastSalt);
        vm.prank(owner);
        registry.publishVersion(dn, ROOT, 5, "ipfs://vectors");
    }

    function test_vector_leaf10() public view {
        bytes32[] memory p = new bytes32[](2);
        p[0] = 0xe700db767c81f368dc9b5da25c9ea82bc1f27db3697a1769c61b76f29ba5bb71;
        p[1] = 0x52272e3b04c31183c46768e2e16ee49402ec3554e86b0918249056154738c9ac;
        assertTrue(
            registry.verifyContribution(
                dn,
                1,
                10,
                0xde85787eff556cabdf06bda79a0ef121fea8cdb94924779a25f3dd4320a7970c,
                address(uint160(0x1000)),
                p
            )
        );
        assertFalse(
            registry.verifyContribution(
                dn,
                1,
                10 + 100,
                0xde85787eff556cabdf06bda79a0ef121fea8cdb94924779a25f3dd4320a7970c,
                address(uint160(0x1000)),
                p
            )
        );
    }

    function test_vector_leaf11() public view {
        bytes32[] memory p = new bytes32[](2);
        p[0] = 0x6ae442c064f56229eb7f217da4dfcb6f06154b69f58f1496c64a68152d0d5a22;
        p[1] = 0x9591720f6f646838e018ecd396d830de9165daee10e0ff494ac9385c93d5e42c;
        assertTrue(
            registry.verifyContribution(
                dn,
                1,
                11,
                0x17d79958a99572dd92c9b81876fae7c07401be0b2fbf076bc78c96c2c2d7d00f,
                address(uint160(0x1001)),
                p
            )
        );
        assertFalse(
            registry.verifyContribution(
                dn,
                1,
                11 + 100,
                0x17d79958a99572dd92c9b81876fae7c07401be0b2fbf076bc78c96c2c2d7d00f,
                address(uint160(0x1001)),
                p
            )
        );
    }

    function test_vector_leaf12() public view {
        bytes32[] memory p = new bytes32[](3);
        p[0] = 0x3d2ab58c9e21008c86a182a309e64a6f76cdb0ada1954be4792bfff0d6cfeace;
        p[1] = 0xd35a5ba73625f6ee0fcbc9ca92e2d63552719e89de57286f684b60d45c1bdb36;
        p[2] = 0x52272e3b04c31183c46768e2e16ee49402ec3554e86b0918249056154738c9ac;
        assertTrue(
            registry.verifyContribution(
                dn,
                1,
                12,
                0xa106fbc1df5cb021a638e37ee813ccd5ac69d36d61b70f6cf54258343e4eb8e2,
                address(uint160(0x1000)),
                p
            )
        );
        assertFalse(
            registry.verifyContribution(
                dn,
                1,
                12 + 100,
                0xa106fbc1df5cb021a638e37ee813ccd5ac69d36d61b70f6cf54258343e4eb8e2,
                address(uint160(0x1000)),
                p
            )
        );
    }

    function test_vector_leaf13() public view {
        bytes32[] memory p = new bytes32[](2);
        p[0] = 0x67f7ff8df21279a4adcfc6b0f50d9f83b4a7c1ae296d8b97fc194b4fe7f4f787;
        p[1] = 0x9591720f6f646838e018ecd396d830de9165daee10e0ff494ac9385c93d5e42c;
        assertTrue(
            registry.verifyContribution(
                dn,
                1,
                13,
                0xa61eec500e9dc9ad9f23dc2edda79058708554ee1a8844ac100867a3ddddb2fa,
                address(uint160(0x1001)),
                p
            )
        );
        assertFalse(
            registry.verifyContribution(
                dn,
                1,
                13 + 100,
                0xa61eec500e9dc9ad9f23dc2edda79058708554ee1a8844ac100867a3ddddb2fa,
                address(uint160(0x1001)),
                p
            )
        );
    }

    function test_vector_leaf14() public view {
        bytes32[] memory p = new bytes32[](3);
        p[0] = 0x1954f0621be776889f0e7d9bbe4721a1e2e53eea86e83a958fc420ab0527ea1d;
        p[1] = 0xd35a5ba73625f6ee0fcbc9ca92e2d63552719e89de57286f684b60d45c1bdb36;
        p[2] = 0x52272e3b04c31183c46768e2e16ee49402ec3554e86b0918249056154738c9ac;
        assertTrue(
            registry.verifyContribution(
                dn,
                1,
                14,
                0xc4dcf8c5cab92d6fb0acba9adc148c74c18bd6e46d23641e15d296306e8ff69b,
                address(uint160(0x1000)),
                p
            )
        );
        assertFalse(
            registry.verifyContribution(
                dn,
                1,
                14 + 100,
                0xc4dcf8c5cab92d6fb0acba9adc148c74c18bd6e46d23641e15d296306e8ff69b,
                address(uint160(0x1000)),
                p
            )
        );
    }
}

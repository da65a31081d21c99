// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SettlementFixture} from "../utils/SettlementFixture.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";

/// @notice `announceReceipts`: a node announces the content digest of its epoch's receipts (PROTOCOL.md, "Serving").
contract PaymentChannelsReceiptsTest is SettlementFixture {
    bytes32 internal constant DIGEST = keccak256("receipts of epoch 3");

    function test_announceReceipts_recordsAndEmitsForCaller() public {
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ReceiptsAnnounced(node, 3, DIGEST);
        vm.prank(node);
        channels.announceReceipts(3, DIGEST);
        assertEq(channels.announcement(node, 3), DIGEST);
        assertEq(channels.announcement(node, 4), bytes32(0));
        assertEq(channels.announcement(payer, 3), bytes32(0));
    }

    function test_announceReceipts_namesTheCallerNotAnotherNode() public {
        // A stranger announcing the same epoch writes under its own address; the node's slot stays free.
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        channels.announceReceipts(3, DIGEST);
        assertEq(channels.announcement(stranger, 3), DIGEST);
        assertEq(channels.announcement(node, 3), bytes32(0));
        bytes32 mine = keccak256("node's own receipts");
        vm.prank(node);
        channels.announceReceipts(3, mine);
        assertEq(channels.announcement(node, 3), mine);
    }

    function test_announceReceipts_revertsWhenAlreadyAnnounced() public {
        vm.startPrank(node);
        channels.announceReceipts(3, DIGEST);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannelsAlreadyAnnounced.selector, node, 3, DIGEST)
        );
        channels.announceReceipts(3, keccak256("another"));
        vm.stopPrank();
        assertEq(channels.announcement(node, 3), DIGEST);
    }

    function test_announceReceipts_revertsForEpochZero() public {
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsBadEpoch.selector, 0));
        channels.announceReceipts(0, DIGEST);
    }

    function test_announceReceipts_revertsAboveMaxEpoch() public {
        uint256 maxEpoch = channels.MAX_EPOCH();
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsBadEpoch.selector, maxEpoch + 1));
        channels.announceReceipts(maxEpoch + 1, DIGEST);
        vm.prank(node);
        channels.announceReceipts(maxEpoch, DIGEST);
        assertEq(channels.announcement(node, maxEpoch), DIGEST);
    }

    function test_announceReceipts_revertsForZeroDigest() public {
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsZeroDigest.selector, 3));
        channels.announceReceipts(3, bytes32(0));
    }

    function testFuzz_announceReceipts_oncePerNodeAndEpoch(address who, uint256 epoch, bytes32 digest, bytes32 other)
        public
    {
        uint256 maxEpoch = channels.MAX_EPOCH();
        epoch = bound(epoch, 1, maxEpoch);
        vm.assume(digest != bytes32(0) && other != bytes32(0));
        vm.prank(who);
        channels.announceReceipts(epoch, digest);
        assertEq(channels.announcement(who, epoch), digest);
        vm.prank(who);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannelsAlreadyAnnounced.selector, who, epoch, digest)
        );
        channels.announceReceipts(epoch, other);
        // The next epoch and any other caller are independent.
        if (epoch < maxEpoch) {
            vm.prank(who);
            channels.announceReceipts(epoch + 1, other);
            assertEq(channels.announcement(who, epoch + 1), other);
        }
        address someoneElse = address(uint160(who) ^ 1);
        vm.prank(someoneElse);
        channels.announceReceipts(epoch, other);
        assertEq(channels.announcement(someoneElse, epoch), other);
        assertEq(channels.announcement(who, epoch), digest);
    }

    function testFuzz_announceReceipts_refusesBadEpochWithoutState(uint256 epoch, bytes32 digest) public {
        vm.assume(epoch == 0 || epoch > uint256(type(uint32).max));
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsBadEpoch.selector, epoch));
        channels.announceReceipts(epoch, digest);
        assertEq(channels.announcement(node, epoch), bytes32(0));
    }

    function test_announceReceipts_gas() public {
        vm.prank(node);
        uint256 before = gasleft();
        channels.announceReceipts(3, DIGEST);
        uint256 used = before - gasleft();
        emit log_named_uint("announceReceipts gas (cold slot, excl. 21k base)", used);
        assertGt(used, 0);
    }
}

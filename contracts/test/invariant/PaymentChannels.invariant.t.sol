// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {SettlementFixture} from "../utils/SettlementFixture.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {PaymentChannels} from "../../src/payments/PaymentChannels.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";
import {SettlementStakingDouble} from "../utils/SettlementDoubles.sol";

/// @notice Drives channels through random opens, top-ups, redemptions, closes and withdrawals; never reverts.
contract PaymentChannelsHandler is Test {
    OpenToken internal token;
    PaymentChannels internal channels;
    SettlementStakingDouble internal staking;
    address internal node;
    address internal owner;
    address internal treasury;
    uint256 internal payerKey;
    address internal payer;

    uint256[] public ids;
    mapping(uint256 => uint256) public signedMax;
    uint256 public ghostDeposited;
    uint256 public ghostRedeemed;
    uint256 public ghostWithdrawn;
    uint256 public ghostSplitMismatches;
    uint256 public ghostOverDeposit;
    uint256 public ghostFlushed;
    /// @dev Announcements made through the handler: (announcer, epoch) -> the first digest; `announced` lists the keys.
    mapping(address => mapping(uint256 => bytes32)) public ghostAnnounced;
    address[] public announcers;
    uint256 public ghostDoubleAnnouncements;
    uint256[] public announcedEpochs;

    constructor(
        OpenToken token_,
        PaymentChannels channels_,
        SettlementStakingDouble staking_,
        address node_,
        address owner_,
        address treasury_,
        uint256 payerKey_
    ) {
        token = token_;
        channels = channels_;
        staking = staking_;
        node = node_;
        owner = owner_;
        treasury = treasury_;
        payerKey = payerKey_;
        payer = vm.addr(payerKey_);
    }

    function _pick(uint256 seed) internal view returns (uint256) {
        return ids[seed % ids.length];
    }

    function open(uint256 amount) external {
        amount = bound(amount, 1, 10_000e18);
        vm.startPrank(payer);
        token.approve(address(channels), amount);
        ids.push(channels.open(node, 1, address(0), amount));
        vm.stopPrank();
        ghostDeposited += amount;
    }

    function topUp(uint256 seed, uint256 amount) external {
        if (ids.length == 0) return;
        uint256 id = _pick(seed);
        IPaymentChannels.Channel memory c = channels.channel(id);
        if (c.settled || c.closesAt != 0) return;
        amount = bound(amount, 1, 10_000e18);
        vm.startPrank(payer);
        token.approve(address(channels), amount);
        channels.topUp(id, amount);
        vm.stopPrank();
        ghostDeposited += amount;
    }

    function redeem(uint256 seed, uint256 delta) external {
        if (ids.length == 0) return;
        uint256 id = _pick(seed);
        IPaymentChannels.Channel memory c = channels.channel(id);
        // Vouchers may exceed the deposit: the contract must cap them.
        uint256 cumulative = signedMax[id] + bound(delta, 1, 5_000e18);
        signedMax[id] = cumulative;
        if (c.settled || (cumulative < c.deposit ? cumulative : c.deposit) <= c.redeemed) return;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, channels.voucherDigest(id, cumulative));
        uint256 before = channels.creditOf(treasury) + channels.creditOf(owner) + channels.pendingPool(1)
            + channels.pendingNodeReward(node);
        uint256 paid = channels.redeem(id, cumulative, abi.encodePacked(r, s, v));
        uint256 afterSum = channels.creditOf(treasury) + channels.creditOf(owner) + channels.pendingPool(1)
            + channels.pendingNodeReward(node);
        if (afterSum - before != paid) ghostSplitMismatches++;
        ghostRedeemed += paid;
        if (channels.channel(id).redeemed > channels.channel(id).deposit) ghostOverDeposit++;
    }

    function requestClose(uint256 seed) external {
        if (ids.length == 0) return;
        uint256 id = _pick(seed);
        IPaymentChannels.Channel memory c = channels.channel(id);
        if (c.settled || c.closesAt != 0) return;
        vm.prank(payer);
        channels.requestClose(id);
    }

    function flush(uint256 which) external {
        if (which % 3 == 0 && channels.pendingNodeReward(node) != 0) {
            ghostFlushed += channels.flushNodeReward(node);
        } else if (which % 3 == 1 && channels.pendingPool(1) != 0) {
            ghostFlushed += channels.flushPool(1);
        } else if (which % 3 == 2 && channels.creditOf(owner) != 0) {
            vm.prank(owner);
            ghostFlushed += channels.withdrawCredit(owner);
        }
    }

    /// @dev A node or a stranger announces (epoch in a small range, so repeats happen); a repeat must revert and change
    /// nothing. Never reverts itself.
    function announce(uint256 who, uint256 epoch, bytes32 digest) external {
        address announcer = who % 2 == 0 ? node : payer;
        epoch = bound(epoch, 1, 8);
        if (digest == bytes32(0)) digest = keccak256(abi.encode(who, epoch));
        vm.prank(announcer);
        try channels.announceReceipts(epoch, digest) {
            if (ghostAnnounced[announcer][epoch] != bytes32(0)) ghostDoubleAnnouncements++;
            ghostAnnounced[announcer][epoch] = digest;
            announcers.push(announcer);
            announcedEpochs.push(epoch);
        } catch {}
    }

    function announcementCount() external view returns (uint256) {
        return announcers.length;
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 2 days));
    }

    function withdraw(uint256 seed) external {
        if (ids.length == 0) return;
        uint256 id = _pick(seed);
        IPaymentChannels.Channel memory c = channels.channel(id);
        if (c.settled || c.closesAt == 0 || block.timestamp < c.closesAt) return;
        vm.prank(payer);
        ghostWithdrawn += channels.withdraw(id);
    }

    function outstanding() external view returns (uint256 sum) {
        for (uint256 i; i < ids.length; ++i) {
            IPaymentChannels.Channel memory c = channels.channel(ids[i]);
            sum += uint256(c.deposit) - c.redeemed;
        }
    }

    function allSettled() external view returns (bool) {
        for (uint256 i; i < ids.length; ++i) {
            if (!channels.channel(ids[i]).settled) return false;
        }
        return true;
    }
}

contract PaymentChannelsInvariantTest is SettlementFixture {
    PaymentChannelsHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new PaymentChannelsHandler(token, channels, staking, node, modelOwner, treasury, payerKey);
        targetContract(address(handler));
    }

    function invariant_redeemedNeverAboveDeposited() public view {
        assertLe(handler.ghostRedeemed(), handler.ghostDeposited());
        assertEq(handler.ghostOverDeposit(), 0);
    }

    function invariant_withdrawalsPlusRedemptionsEqualDeposits() public view {
        // Unsettled channels still hold `outstanding`; once all are settled it is zero.
        assertEq(handler.ghostWithdrawn() + handler.ghostRedeemed() + handler.outstanding(), handler.ghostDeposited());
        if (handler.allSettled()) {
            assertEq(handler.ghostWithdrawn() + handler.ghostRedeemed(), handler.ghostDeposited());
        }
    }

    function invariant_splitPartsSumExactly() public view {
        assertEq(handler.ghostSplitMismatches(), 0);
    }

    function invariant_announcementsAreFinal() public view {
        // Every recorded announcement is the first digest its (announcer, epoch) got; none was ever overwritten.
        for (uint256 i; i < handler.announcementCount(); ++i) {
            address a = handler.announcers(i);
            uint256 e = handler.announcedEpochs(i);
            assertEq(channels.announcement(a, e), handler.ghostAnnounced(a, e));
        }
        assertEq(handler.ghostDoubleAnnouncements(), 0);
    }

    function invariant_contractHoldsWhatItOwes() public view {
        // Deposits not yet redeemed or withdrawn + every credited, not yet paid part.
        uint256 credited = channels.creditOf(treasury) + channels.creditOf(modelOwner) + channels.pendingPool(MODEL_ID)
            + channels.pendingNodeReward(node);
        assertEq(token.balanceOf(address(channels)), handler.outstanding() + credited);
        assertEq(credited + handler.ghostFlushed(), handler.ghostRedeemed());
    }
}

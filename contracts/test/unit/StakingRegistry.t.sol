// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StakingGovBase} from "./StakingGovFixtures.sol";
import {IStakingRegistry} from "../../src/interfaces/IStakingRegistry.sol";
import {StakingRegistry} from "../../src/staking/StakingRegistry.sol";
import {OperatorRole} from "../../src/types/Roles.sol";
import {UsageReceipt} from "../../src/types/UsageReceipt.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract StakingRegistryTest is StakingGovBase {
    uint256 internal constant NODE_STAKE = 100_000e18;

    function setUp() public override {
        super.setUp();
        _registerAndStake(node, OperatorRole.Node, NODE_STAKE);
    }

    /* REGISTRATION */

    function test_register_setsRoleAndEmits() public {
        vm.expectEmit(address(staking));
        emit IStakingRegistry.OperatorRegistered(agent, OperatorRole.Agent, "ipfs://a");
        vm.prank(agent);
        staking.register(OperatorRole.Agent, "ipfs://a");
        assertEq(uint8(staking.operatorOf(agent).role), uint8(OperatorRole.Agent));
        assertFalse(staking.isActiveOperator(agent, OperatorRole.Agent), "no stake yet");
    }

    function test_register_revertsTwiceOrNone() public {
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingAlreadyRegistered.selector, node));
        staking.register(OperatorRole.Agent, "x");
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingInvalidRole.selector, OperatorRole.None));
        staking.register(OperatorRole.None, "x");
    }

    function test_isActiveOperator_requiresRoleMinimumAndNoJail() public {
        assertTrue(staking.isActiveOperator(node, OperatorRole.Node));
        assertFalse(staking.isActiveOperator(node, OperatorRole.Agent));
        assertFalse(staking.isActiveOperator(node, OperatorRole.None));
        vm.prank(agent);
        staking.register(OperatorRole.Agent, "a");
        vm.prank(agent);
        staking.stake(999e18);
        assertFalse(staking.isActiveOperator(agent, OperatorRole.Agent), "below 1,000 OPEN");
        vm.prank(agent);
        staking.stake(1e18);
        assertTrue(staking.isActiveOperator(agent, OperatorRole.Agent));
        // Delegations do not count toward the operator's own minimum.
        vm.prank(alice);
        staking.delegate(agent, 500_000e18);
        vm.prank(address(timelock));
        staking.setMinStake(OperatorRole.Agent, 2_000e18);
        assertFalse(staking.isActiveOperator(agent, OperatorRole.Agent));
    }

    /* DELEGATION */

    function test_delegate_mintsSharesAndCheckpointsVotes() public {
        uint256 t0 = block.timestamp;
        vm.prank(alice);
        uint256 shares = staking.delegate(node, 50_000e18);
        assertGt(shares, 0);
        assertApproxEqAbs(staking.stakeValue(alice, node), 50_000e18, 1, "rounded in the pool's favour by <= 1 wei");
        assertLe(staking.stakeValue(alice, node), 50_000e18);
        assertEq(staking.getStakedVotes(alice), 50_000e18);
        assertEq(staking.getStakedVotes(node), NODE_STAKE);
        vm.warp(t0 + 1);
        assertEq(staking.getPastStakedVotes(alice, t0), 50_000e18);
        assertEq(staking.getPastStakedVotes(alice, t0 - 1), 0);
        assertEq(staking.getPastTotalStaked(t0), NODE_STAKE + 50_000e18);
        assertEq(token.balanceOf(address(staking)), NODE_STAKE + 50_000e18);
    }

    function test_delegate_revertsOnBadInput() public {
        vm.startPrank(alice);
        vm.expectRevert(IStakingRegistry.StakingZeroAmount.selector);
        staking.delegate(node, 0);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotOperator.selector, bob));
        staking.delegate(bob, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotOperator.selector, alice));
        staking.stake(1e18);
        vm.stopPrank();
        assertEq(staking.getStakedVotes(alice), 0);
        assertEq(token.balanceOf(address(staking)), NODE_STAKE);
    }

    function test_getPastStakedVotes_revertsForFuture() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakingRegistry.StakingFutureLookup.selector, block.timestamp, uint48(block.timestamp)
            )
        );
        staking.getPastStakedVotes(alice, block.timestamp);
    }

    /* UNBONDING */

    function test_requestUnbond_thenWithdrawAfterDelay() public {
        vm.prank(alice);
        staking.delegate(node, 10_000e18);
        vm.prank(alice);
        uint256 id = staking.requestUnbond(node, 4_000e18);
        assertEq(staking.getStakedVotes(alice), 6_000e18, "unbonding stake stops voting at once");
        IStakingRegistry.Withdrawal memory w = staking.withdrawalOf(id);
        assertEq(w.readyAt, block.timestamp + staking.unbondingDelay());

        vm.warp(w.readyAt - 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingWithdrawalNotReady.selector, id, w.readyAt));
        staking.withdraw(id);

        vm.warp(w.readyAt);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingUnknownWithdrawal.selector, id, bob));
        staking.withdraw(id);

        uint256 before = token.balanceOf(alice);
        vm.prank(alice);
        uint256 paid = staking.withdraw(id);
        assertApproxEqAbs(paid, 4_000e18, 2);
        assertEq(token.balanceOf(alice) - before, paid);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingUnknownWithdrawal.selector, id, alice));
        staking.withdraw(id);
    }

    function test_requestUnbond_revertsAboveStake() public {
        vm.prank(alice);
        staking.delegate(node, 1_000e18);
        uint256 value = staking.stakeValue(alice, node);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IStakingRegistry.StakingInsufficientStake.selector, alice, node, 1_000e18 + 1, value)
        );
        staking.requestUnbond(node, 1_000e18 + 1);
    }

    function test_unbondingDelay_strictlyLongerThanVetoPlusChallenge() public view {
        assertGt(staking.MIN_UNBONDING_DELAY(), staking.MAX_VETO_WINDOW() + staking.MAX_PAYOUT_CHALLENGE_WINDOW());
        assertGe(staking.unbondingDelay(), staking.MIN_UNBONDING_DELAY());
    }

    /* REWARDS */

    function test_notifyReward_splitsCommissionAndPerShare() public {
        vm.prank(node);
        staking.setCommission(1_000);
        assertEq(staking.commissionOf(node), 0, "commission change is delayed");
        vm.warp(block.timestamp + staking.MIN_UNBONDING_DELAY());
        assertEq(staking.commissionOf(node), 1_000);
        vm.prank(alice);
        staking.delegate(node, NODE_STAKE); // alice holds as many shares as the node (give or take rounding)

        vm.prank(rewardSource);
        token.approve(address(staking), 1_000e18);
        vm.prank(rewardSource);
        staking.notifyReward(node, 1_000e18);
        // 100 commission to the node, 900 per share: ~450 each.
        assertApproxEqAbs(staking.pendingRewards(node, node), 550e18, 1e6);
        assertApproxEqAbs(staking.pendingRewards(alice, node), 450e18, 1e6);
        assertLe(staking.pendingRewards(node, node) + staking.pendingRewards(alice, node), 1_000e18);

        uint256 before = token.balanceOf(alice);
        vm.prank(alice);
        uint256 got = staking.claimRewards(node);
        assertEq(token.balanceOf(alice) - before, got);
        vm.prank(alice);
        vm.expectRevert(IStakingRegistry.StakingZeroAmount.selector);
        staking.claimRewards(node);
    }

    function test_notifyReward_onlyRewardSource() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotRewardSource.selector, alice));
        staking.notifyReward(node, 1e18);
    }

    function test_setCommission_revertsAboveMax() public {
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingCommissionTooHigh.selector, 5_001, 5_000));
        staking.setCommission(5_001);
    }

    /* OBJECTIVE SLASHING */

    function _openChannel(uint256 channelId) internal {
        domain.setChannelNode(channelId, node);
    }

    function test_slashObjective_sameSeqDifferentContents() public {
        _openChannel(1);
        vm.prank(alice);
        staking.delegate(node, 100_000e18);
        UsageReceipt memory a = _receipt(1, 5, 10e18, keccak256("req-a"));
        UsageReceipt memory b = _receipt(1, 5, 10e18, keccak256("req-b"));
        uint256 reporterBefore = token.balanceOf(carol);
        bytes memory sa = _sign(nodeKey, a);
        bytes memory sb = _sign(nodeKey, b);
        vm.prank(carol);
        uint256 amount = staking.slashObjective(a, sa, b, sb);
        assertApproxEqAbs(amount, 20_000e18, 1, "10% of 200,000");
        assertEq(token.balanceOf(carol) - reporterBefore, amount * 500 / 10_000, "5% reporter reward");
        assertEq(token.balanceOf(treasury), amount - amount * 500 / 10_000);
        assertApproxEqAbs(staking.stakeValue(alice, node), 90_000e18, 2, "pro rata");
        assertFalse(staking.isActiveOperator(node, OperatorRole.Node), "jailed");
        // The same evidence cannot slash twice.
        bytes32 da = domain.receiptDigest(a);
        bytes32 db = domain.receiptDigest(b);
        bytes32 faultId = da < db ? keccak256(abi.encode(da, db)) : keccak256(abi.encode(db, da));
        assertTrue(staking.faultSlashed(faultId));
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingFaultAlreadySlashed.selector, faultId));
        staking.slashObjective(b, sb, a, sa);
    }

    function test_slashObjective_cumulativeGoesBackwards() public {
        _openChannel(2);
        UsageReceipt memory a = _receipt(2, 3, 50e18, keccak256("r3"));
        UsageReceipt memory b = _receipt(2, 4, 40e18, keccak256("r4"));
        staking.slashObjective(b, _sign(nodeKey, b), a, _sign(nodeKey, a));
        assertTrue(staking.operatorOf(node).jailed);
    }

    function test_slashObjective_revertsWhenNotConflicting() public {
        _openChannel(3);
        UsageReceipt memory a = _receipt(3, 3, 40e18, keccak256("r3"));
        UsageReceipt memory b = _receipt(3, 4, 50e18, keccak256("r4"));
        bytes memory sa = _sign(nodeKey, a);
        bytes memory sb = _sign(nodeKey, b);
        vm.expectRevert(IStakingRegistry.StakingReceiptsNotConflicting.selector);
        staking.slashObjective(a, sa, b, sb);
        vm.expectRevert(IStakingRegistry.StakingReceiptsNotConflicting.selector);
        staking.slashObjective(a, sa, a, sa);
        UsageReceipt memory c = _receipt(4, 3, 40e18, keccak256("r3"));
        bytes memory sc = _sign(nodeKey, c);
        vm.expectRevert(IStakingRegistry.StakingReceiptsNotConflicting.selector);
        staking.slashObjective(a, sa, c, sc);
        assertEq(token.balanceOf(address(staking)), NODE_STAKE);
    }

    function test_slashObjective_revertsOnForeignSignature() public {
        _openChannel(5);
        (, uint256 otherKey) = makeAddrAndKey("mallory");
        UsageReceipt memory a = _receipt(5, 1, 10e18, keccak256("x"));
        UsageReceipt memory b = _receipt(5, 1, 11e18, keccak256("x"));
        bytes memory sa = _sign(otherKey, a);
        bytes memory sb = _sign(otherKey, b);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingBadReceiptSignature.selector, 5, node));
        staking.slashObjective(a, sa, b, sb);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingUnknownChannel.selector, 6));
        UsageReceipt memory c = _receipt(6, 1, 10e18, keccak256("x"));
        UsageReceipt memory d = _receipt(6, 1, 11e18, keccak256("x"));
        staking.slashObjective(c, sa, d, sb);
        assertFalse(staking.operatorOf(node).jailed);
    }

    /* SUBJECTIVE SLASHING */

    function _propose(uint16 bps) internal returns (uint256 id) {
        vm.prank(slasher);
        id = staking.proposeSlash(node, bps, carol, 5_000, keccak256("evidence-cid"));
    }

    function test_proposeSlash_executeAfterVetoWindow() public {
        uint256 id = _propose(1_000);
        IStakingRegistry.SlashProposal memory s = staking.slashProposalOf(id);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingVetoWindowOpen.selector, id, s.vetoEndsAt));
        staking.executeSlash(id);
        vm.warp(s.vetoEndsAt);
        uint256 amount = staking.executeSlash(id);
        assertEq(amount, NODE_STAKE / 10);
        assertEq(token.balanceOf(carol) - 1_000_000e18, amount / 2, "harmed party half");
        assertEq(token.balanceOf(treasury), amount - amount / 2);
        assertTrue(staking.operatorOf(node).jailed);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakingRegistry.StakingSlashNotPending.selector, id, IStakingRegistry.SlashStatus.Executed
            )
        );
        staking.executeSlash(id);
    }

    function test_executeSlash_revertsWhenVetoed() public {
        uint256 id = _propose(1_000);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotSecurityCouncil.selector, alice));
        staking.vetoSlash(id);
        vm.prank(council);
        staking.vetoSlash(id);
        vm.warp(block.timestamp + 30 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakingRegistry.StakingSlashNotPending.selector, id, IStakingRegistry.SlashStatus.Vetoed
            )
        );
        staking.executeSlash(id);
        assertApproxEqAbs(staking.stakeValue(node, node), NODE_STAKE, 1);
        assertFalse(staking.operatorOf(node).jailed);
    }

    function test_vetoSlash_revertsAfterWindow() public {
        uint256 id = _propose(1_000);
        uint48 end = staking.slashProposalOf(id).vetoEndsAt;
        vm.warp(end);
        vm.prank(council);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingVetoWindowClosed.selector, id, end));
        staking.vetoSlash(id);
    }

    function test_proposeSlash_revertsOnBadInput() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotSlasher.selector, alice));
        staking.proposeSlash(node, 100, carol, 0, bytes32(0));
        vm.startPrank(slasher);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingSlashExceedsCap.selector, 2_001, 2_000));
        staking.proposeSlash(node, 2_001, carol, 0, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingInvalidHarmedShare.selector, carol, 9_001));
        staking.proposeSlash(node, 100, carol, 9_001, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingInvalidHarmedShare.selector, address(0), 1));
        staking.proposeSlash(node, 100, address(0), 1, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotOperator.selector, alice));
        staking.proposeSlash(alice, 100, carol, 0, bytes32(0));
        vm.stopPrank();
        assertEq(staking.lastSlashId(), 0);
        assertEq(staking.operatorOf(node).pendingSlashes, 0);
    }

    function test_withdraw_revertsDuringPendingSlash() public {
        vm.prank(alice);
        staking.delegate(node, 10_000e18);
        vm.prank(alice);
        uint256 wid = staking.requestUnbond(node, 10_000e18 - 1);
        vm.warp(block.timestamp + staking.unbondingDelay() - 1 days);
        uint256 id = _propose(2_000);
        vm.warp(block.timestamp + 1 days);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingPendingSlash.selector, node, 1));
        staking.withdraw(wid);
        // The slash reaches the unbonding stake too.
        vm.warp(staking.slashProposalOf(id).vetoEndsAt);
        staking.executeSlash(id);
        vm.prank(alice);
        uint256 paid = staking.withdraw(wid);
        assertApproxEqAbs(paid, 8_000e18, 2);
    }

    function test_expireSlash_afterExecutionWindow() public {
        uint256 id = _propose(1_000);
        uint256 expiresAt = staking.slashProposalOf(id).vetoEndsAt + 7 days;
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingSlashNotExpired.selector, id, expiresAt));
        staking.expireSlash(id);
        vm.warp(expiresAt);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingSlashExpired.selector, id, expiresAt));
        staking.executeSlash(id);
        staking.expireSlash(id);
        assertEq(staking.operatorOf(node).pendingSlashes, 0);
    }

    function test_slash_clippedToPeriodCap() public {
        uint256 id1 = _propose(1_500);
        uint256 id2 = _propose(1_500);
        vm.warp(staking.slashProposalOf(id2).vetoEndsAt);
        uint256 first = staking.executeSlash(id1);
        uint256 second = staking.executeSlash(id2);
        assertEq(first, NODE_STAKE * 15 / 100);
        assertEq(second, (NODE_STAKE - first) * 500 / 10_000, "only 5% of the 20% cap is left");
        assertEq(staking.recentSlashedBps(node), 2_000);
        // Objective slashes are clipped by the same cap.
        domain.setChannelNode(9, node);
        UsageReceipt memory a = _receipt(9, 1, 1, bytes32(0));
        UsageReceipt memory b = _receipt(9, 1, 2, bytes32(0));
        assertEq(staking.slashObjective(a, _sign(nodeKey, a), b, _sign(nodeKey, b)), 0);
        // A new period restores the cap.
        vm.warp(block.timestamp + staking.slashPeriod());
        uint256 id3 = _propose(1_000);
        vm.warp(staking.slashProposalOf(id3).vetoEndsAt);
        assertGt(staking.executeSlash(id3), 0);
    }

    /* JAIL */

    function test_unjail_afterCooldownWithMinimum() public {
        uint256 id = _propose(1_000);
        vm.warp(staking.slashProposalOf(id).vetoEndsAt);
        staking.executeSlash(id);
        uint48 until = staking.operatorOf(node).jailedUntil;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingOperatorJailed.selector, node, until));
        staking.delegate(node, 1e18);
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingJailCooldown.selector, node, until));
        staking.unjail();
        vm.warp(until);
        vm.prank(node);
        staking.unjail();
        assertTrue(staking.isActiveOperator(node, OperatorRole.Node));
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingOperatorNotJailed.selector, node));
        staking.unjail();
    }

    /* VOTES AFTER SLASH */

    function test_syncVotes_bringsVotesToSlashedValue() public {
        vm.prank(alice);
        staking.delegate(node, 100_000e18);
        uint256 id = _propose(1_000);
        vm.warp(staking.slashProposalOf(id).vetoEndsAt);
        staking.executeSlash(id);
        assertEq(staking.getStakedVotes(alice), 100_000e18, "lazy until touched");
        staking.syncVotes(alice, node);
        assertApproxEqAbs(staking.getStakedVotes(alice), 90_000e18, 2);
        // Unbonding everything leaves no stale votes.
        uint256 value = staking.stakeValue(alice, node);
        vm.prank(alice);
        staking.requestUnbond(node, value);
        assertEq(staking.getStakedVotes(alice), 0);
    }

    /* GOVERNANCE */

    function test_setters_onlyGovernance() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotGovernance.selector, alice));
        staking.setMinStake(OperatorRole.Node, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotGovernance.selector, alice));
        staking.setDelays(30 days, 2 days);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotGovernance.selector, alice));
        staking.setSlashParameters(30 days, 1_000, 500, 100, 1 days);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotGovernance.selector, alice));
        staking.setSlasher(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotGovernance.selector, alice));
        staking.setRewardSource(alice, true);
        vm.stopPrank();
    }

    function test_setters_enforceBounds() public {
        uint48 minDelay = staking.MIN_UNBONDING_DELAY();
        vm.startPrank(address(timelock));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakingRegistry.StakingParameterOutOfBounds.selector,
                bytes32("unbondingDelay"),
                minDelay - 1,
                minDelay,
                60 days
            )
        );
        staking.setDelays(minDelay - 1, 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakingRegistry.StakingParameterOutOfBounds.selector, bytes32("vetoWindow"), 8 days, 1 days, 7 days
            )
        );
        staking.setDelays(minDelay, 8 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakingRegistry.StakingParameterOutOfBounds.selector, bytes32("minStake"), 0, 1e18, 10_000_000e18
            )
        );
        staking.setMinStake(OperatorRole.Node, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakingRegistry.StakingParameterOutOfBounds.selector,
                bytes32("maxSlashBpsPerPeriod"),
                5_001,
                100,
                5_000
            )
        );
        staking.setSlashParameters(30 days, 5_001, 500, 100, 1 days);
        staking.setDelays(minDelay, 7 days);
        vm.stopPrank();
        assertEq(staking.unbondingDelay(), minDelay);
        assertEq(staking.vetoWindow(), 7 days);
    }

    /* FUZZ */

    function testFuzz_slash_reducesEveryDelegatorProRata(uint256 a, uint256 b, uint16 bps) public {
        a = bound(a, 1e18, 500_000e18);
        b = bound(b, 1e18, 500_000e18);
        bps = uint16(bound(bps, 1, 2_000));
        vm.prank(alice);
        staking.delegate(node, a);
        vm.prank(bob);
        staking.delegate(node, b);
        uint256 va = staking.stakeValue(alice, node);
        uint256 vb = staking.stakeValue(bob, node);
        uint256 id = _propose(bps);
        vm.warp(staking.slashProposalOf(id).vetoEndsAt);
        staking.executeSlash(id);
        assertApproxEqRel(staking.stakeValue(alice, node), va * (10_000 - bps) / 10_000, 1e12);
        assertApproxEqRel(staking.stakeValue(bob, node), vb * (10_000 - bps) / 10_000, 1e12);
    }

    function testFuzz_unbond_neverPaysMoreThanDeposited(uint256 amount, uint256 part) public {
        amount = bound(amount, 1, 500_000e18);
        vm.prank(alice);
        staking.delegate(node, amount);
        uint256 value = staking.stakeValue(alice, node);
        assertLe(value, amount);
        vm.assume(value > 0);
        part = bound(part, 1, value);
        vm.prank(alice);
        uint256 id = staking.requestUnbond(node, part);
        vm.warp(block.timestamp + staking.unbondingDelay());
        vm.prank(alice);
        uint256 paid = staking.withdraw(id);
        assertLe(paid, part);
        assertLe(token.balanceOf(address(staking)) + paid, NODE_STAKE + amount);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StakingGovBase} from "./StakingGovFixtures.sol";
import {IStakingRegistry} from "../../src/interfaces/IStakingRegistry.sol";
import {OperatorRole} from "../../src/types/Roles.sol";
import {UsageReceipt} from "../../src/types/UsageReceipt.sol";

/// @notice The security council's bounded pause of StakingRegistry (issue 5: "except the security council's veto and
/// pause, which can never move funds").
contract StakingRegistryPauseTest is StakingGovBase {
    uint256 internal constant NODE_STAKE = 100_000e18;
    uint256 internal constant PAUSE = 14 days;

    uint256 internal aliceWithdrawal;

    function setUp() public override {
        super.setUp();
        _registerAndStake(node, OperatorRole.Node, NODE_STAKE);
        vm.prank(alice);
        staking.delegate(node, 10_000e18);
        vm.prank(rewardSource);
        staking.notifyReward(node, 1_000e18);
        vm.prank(alice);
        aliceWithdrawal = staking.requestUnbond(node, 2_000e18);
        vm.warp(staking.withdrawalOf(aliceWithdrawal).readyAt); // matured, not withdrawn
    }

    function _pause() internal returns (uint256 until) {
        vm.prank(council);
        staking.pause();
        until = staking.pausedUntil();
    }

    function _expectPaused() internal {
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingPaused.selector, staking.pausedUntil()));
    }

    /// @dev Everything the pause must leave untouched by a refused call.
    function _state() internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                token.balanceOf(address(staking)),
                token.balanceOf(alice),
                token.balanceOf(node),
                staking.poolOf(node),
                staking.positionOf(alice, node),
                staking.withdrawalOf(aliceWithdrawal),
                staking.getStakedVotes(alice),
                staking.lastWithdrawalId(),
                staking.operatorOf(agent),
                staking.rewardReserve()
            )
        );
    }

    /* WHO */

    function test_pause_councilOnlyAndEmits() public {
        assertEq(staking.MAX_PAUSE_DURATION(), PAUSE);
        for (uint256 i; i < 3; ++i) {
            address caller = [alice, address(timelock), slasher][i];
            vm.prank(caller);
            vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotSecurityCouncil.selector, caller));
            staking.pause();
        }
        assertEq(staking.pausedUntil(), 0);
        assertFalse(staking.pauseSpent());

        vm.expectEmit(address(staking));
        emit IStakingRegistry.Paused(council, block.timestamp + PAUSE);
        uint256 until = _pause();
        assertEq(until, block.timestamp + PAUSE);
        assertTrue(staking.pauseSpent());
    }

    function test_unpause_byCouncilOrGovernanceOnly() public {
        _pause();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotSecurityCouncil.selector, alice));
        staking.unpause();

        vm.expectEmit(address(staking));
        emit IStakingRegistry.Unpaused(council);
        vm.prank(council);
        staking.unpause();
        assertEq(staking.pausedUntil(), block.timestamp);
        vm.prank(alice);
        staking.delegate(node, 1e18); // works again

        // Governance re-arms the council (same address), the council pauses, governance lifts it.
        vm.prank(address(timelock));
        staking.setSecurityCouncil(council);
        _pause();
        vm.warp(block.timestamp + 1 days);
        vm.expectEmit(address(staking));
        emit IStakingRegistry.Unpaused(address(timelock));
        vm.prank(address(timelock));
        staking.unpause();
        vm.prank(alice);
        staking.delegate(node, 1e18);
    }

    function test_unpause_revertsWhenNotPaused() public {
        vm.prank(council);
        vm.expectRevert(IStakingRegistry.StakingNotPaused.selector);
        staking.unpause();
        uint256 until = _pause();
        vm.warp(until); // lapsed
        vm.prank(address(timelock));
        vm.expectRevert(IStakingRegistry.StakingNotPaused.selector);
        staking.unpause();
        assertEq(staking.pausedUntil(), until, "unchanged");
    }

    /* THE BOUND */

    function test_pause_lapsesByItselfAfterMaxDuration() public {
        uint256 until = _pause();
        vm.warp(until - 1);
        _expectPaused();
        vm.prank(alice);
        staking.delegate(node, 1e18);
        vm.warp(until);
        vm.prank(alice);
        staking.delegate(node, 1e18);
    }

    function test_pause_onceUntilGovernanceReappointsTheCouncil() public {
        uint256 until = _pause();
        // No back-to-back pause: not during the pause, not after it lapsed, not after an early unpause.
        vm.prank(council);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingPauseSpent.selector, council));
        staking.pause();
        vm.warp(until);
        vm.prank(council);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingPauseSpent.selector, council));
        staking.pause();
        assertEq(staking.pausedUntil(), until, "a refused pause changes nothing");

        // A new council appointed by governance gets one pause; the old one has none.
        address council2 = makeAddr("council2");
        vm.prank(address(timelock));
        staking.setSecurityCouncil(council2);
        assertFalse(staking.pauseSpent());
        vm.prank(council);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotSecurityCouncil.selector, council));
        staking.pause();
        vm.prank(council2);
        staking.pause();
        assertEq(staking.pausedUntil(), block.timestamp + PAUSE);
        vm.prank(council2);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingPauseSpent.selector, council2));
        staking.pause();
    }

    function test_setSecurityCouncil_doesNotEndAPauseInForce() public {
        uint256 until = _pause();
        vm.prank(address(timelock));
        staking.setSecurityCouncil(council);
        assertEq(staking.pausedUntil(), until);
        _expectPaused();
        vm.prank(alice);
        staking.delegate(node, 1e18);
    }

    function test_pause_noCouncilNoPause() public {
        vm.prank(address(timelock));
        staking.setSecurityCouncil(address(0));
        vm.prank(council);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotSecurityCouncil.selector, council));
        staking.pause();
    }

    /// @dev Over any pause time and any later time, the registry is paused exactly while `t < pause + 14 days`,
    /// whatever the council does in between (it cannot extend).
    function testFuzz_pause_lapsesExactlyAtTheBound(uint256 pauseAt, uint256 later, uint256 retryAt) public {
        pauseAt = bound(pauseAt, block.timestamp, block.timestamp + 3_650 days);
        vm.warp(pauseAt);
        uint256 until = _pause();
        assertEq(until, pauseAt + PAUSE);
        retryAt = bound(retryAt, pauseAt, pauseAt + 2 * PAUSE);
        vm.warp(retryAt);
        vm.prank(council);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingPauseSpent.selector, council));
        staking.pause();
        later = bound(later, pauseAt, pauseAt + 4 * PAUSE);
        vm.warp(later);
        bool paused = later < until;
        if (paused) _expectPaused();
        vm.prank(alice);
        staking.delegate(node, 1e18);
        assertEq(staking.pausedUntil(), until);
    }

    /* WHAT IS PAUSED */

    function test_paused_entryPointsRevertAndChangeNothing() public {
        _pause();
        bytes32 before = _state();
        uint256 until = staking.pausedUntil();
        bytes memory err = abi.encodeWithSelector(IStakingRegistry.StakingPaused.selector, until);

        vm.prank(agent);
        vm.expectRevert(err);
        staking.register(OperatorRole.Agent, "ipfs://a");
        vm.prank(node);
        vm.expectRevert(err);
        staking.stake(1_000e18);
        vm.prank(alice);
        vm.expectRevert(err);
        staking.delegate(node, 1_000e18);
        vm.prank(alice);
        vm.expectRevert(err);
        staking.requestUnbond(node, 1_000e18);
        vm.prank(alice);
        vm.expectRevert(err);
        staking.withdraw(aliceWithdrawal);
        vm.prank(alice);
        vm.expectRevert(err);
        staking.claimRewards(node);

        assertEq(_state(), before, "nothing changed");
        assertEq(uint8(staking.operatorOf(agent).role), uint8(OperatorRole.None));
    }

    function test_paused_maturedWithdrawalPaysItsOwnerAfterTheLapse() public {
        uint256 value = staking.withdrawalValue(aliceWithdrawal);
        uint256 until = _pause();
        vm.warp(until);
        uint256 before = token.balanceOf(alice);
        vm.prank(alice);
        assertEq(staking.withdraw(aliceWithdrawal), value);
        assertEq(token.balanceOf(alice) - before, value);
    }

    function test_pauseAndUnpause_moveNoFunds() public {
        uint256 balance = token.balanceOf(address(staking));
        uint256 councilBalance = token.balanceOf(council);
        _pause();
        vm.prank(council);
        staking.unpause();
        assertEq(token.balanceOf(address(staking)), balance);
        assertEq(token.balanceOf(council), councilBalance);
    }

    /* WHAT KEEPS WORKING */

    function test_paused_slashingVetoRewardsAndGovernanceStillWork() public {
        // A subjective slash proposed before the pause, one proposed during it and vetoed.
        vm.prank(slasher);
        uint256 s1 = staking.proposeSlash(node, 1_000, carol, 5_000, keccak256("e1"));
        _pause();
        vm.prank(slasher);
        uint256 s2 = staking.proposeSlash(node, 500, carol, 0, keccak256("e2"));
        vm.prank(council);
        staking.vetoSlash(s2);
        assertEq(uint8(staking.slashProposalOf(s2).status), uint8(IStakingRegistry.SlashStatus.Vetoed));

        // Reward flushes and governance setters keep working.
        vm.prank(rewardSource);
        staking.notifyReward(node, 100e18);
        vm.prank(address(timelock));
        staking.setMinStake(OperatorRole.Agent, 2_000e18);
        assertEq(staking.minStake(OperatorRole.Agent), 2_000e18);
        staking.syncVotes(alice, node);

        // The veto window ends inside the pause: the slash executes and pays out.
        vm.warp(staking.slashProposalOf(s1).vetoEndsAt);
        assertLt(block.timestamp, staking.pausedUntil(), "still paused");
        uint256 treasuryBefore = token.balanceOf(treasury);
        uint256 amount = staking.executeSlash(s1);
        assertGt(amount, 0);
        assertEq(token.balanceOf(treasury) - treasuryBefore, amount - amount / 2);
        assertTrue(staking.operatorOf(node).jailed);
    }

    function test_paused_objectiveSlashStillWorks() public {
        domain.setChannelNode(1, node);
        _pause();
        UsageReceipt memory a = _receipt(1, 5, 10e18, keccak256("req-a"));
        UsageReceipt memory b = _receipt(1, 5, 10e18, keccak256("req-b"));
        bytes memory sa = _sign(nodeKey, a);
        bytes memory sb = _sign(nodeKey, b);
        uint256 reporterBefore = token.balanceOf(carol);
        vm.prank(carol);
        uint256 amount = staking.slashObjective(a, sa, b, sb);
        assertGt(amount, 0);
        assertEq(token.balanceOf(carol) - reporterBefore, amount * 500 / 10_000);
        assertTrue(staking.operatorOf(node).jailed);
    }
}

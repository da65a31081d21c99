// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StakingGovBase, MeritTree} from "../unit/StakingGovFixtures.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {PaymentChannels} from "../../src/payments/PaymentChannels.sol";
import {LineageGovernor} from "../../src/governance/LineageGovernor.sol";
import {ILineageGovernor} from "../../src/interfaces/ILineageGovernor.sol";
import {IStakingRegistry} from "../../src/interfaces/IStakingRegistry.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {OperatorRole} from "../../src/types/Roles.sol";
import {MeritDecayLib} from "../../src/libraries/MeritDecayLib.sol";
import {UsageReceipt} from "../../src/types/UsageReceipt.sol";

/// @notice Model terms stand-in (the ModelRegistry is not under test here): model 7 exists, 30% to its owner.
contract FixedModelTerms is IModelTerms {
    function revenueTerms(uint256) external pure returns (address, uint16, uint256) {
        return (address(0xBEEF), 3_000, 1e15);
    }
}

/// @notice Deploys the real RewardsDistributor (issue 4) and PaymentChannels (issue 4) next to the issue-5 system.
abstract contract RealModulesBase is StakingGovBase {
    RewardsDistributor internal distributor;
    PaymentChannels internal channels;
    LineageGovernor internal meritGovernor;
    address internal poster = makeAddr("poster");
    address internal payer = makeAddr("payer");

    function setUp() public virtual override {
        super.setUp();
        distributor = new RewardsDistributor(
            token,
            address(timelock),
            treasury,
            RewardsDistributor.Params({
                challengeWindow: 1 days, posterBond: 1_000e18, disputeBond: 1_000e18, winnerShareBps: 5_000
            }),
            7 days,
            180 days
        );
        channels = new PaymentChannels(
            token, new FixedModelTerms(), staking, distributor, address(timelock), treasury, 1_000, 2_000, 1 days
        );
        meritGovernor = new LineageGovernor(
            token,
            staking,
            distributor,
            timelock,
            LineageGovernor.Config({
                votingDelay: VOTING_DELAY,
                votingPeriod: VOTING_PERIOD,
                proposalThreshold: 0,
                merit: ILineageGovernor.MeritParameters({
                    meritWeight: MERIT_WEIGHT, meritCapBps: MERIT_CAP_BPS, quorumBps: QUORUM_BPS, halfLife: HALF_LIFE
                })
            })
        );
        vm.startPrank(address(timelock));
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(meritGovernor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(meritGovernor));
        staking.setReceiptDomain(address(channels));
        staking.setRewardSource(address(channels), true);
        distributor.setPoster(poster, true);
        vm.stopPrank();
        require(token.transfer(poster, 10_000e18), "fund");
        require(token.transfer(payer, 10_000e18), "fund");
        vm.prank(poster);
        token.approve(address(distributor), type(uint256).max);
        vm.prank(poster);
        distributor.depositBond(1_000e18);
        vm.prank(payer);
        token.approve(address(channels), type(uint256).max);
    }

    /// @dev Posts `root` with `totalMerit` for an epoch ending now and finalizes it after the challenge window.
    function _postAndFinalize(bytes32 root, uint256 totalMerit) internal returns (uint64 epochEnd) {
        epochEnd = uint64(block.timestamp);
        vm.prank(poster);
        uint256 index = distributor.postRoot(1, epochEnd, root, 0, totalMerit, "bafkinputs");
        vm.warp(block.timestamp + 1 days);
        distributor.finalize(index);
    }
}

contract StakingGovRealModulesTest is RealModulesBase {
    function test_unbondingDelay_coversTheRealChallengeWindow() public view {
        assertGe(staking.MAX_PAYOUT_CHALLENGE_WINDOW(), distributor.MAX_CHALLENGE_WINDOW());
        assertGt(staking.MIN_UNBONDING_DELAY(), staking.MAX_VETO_WINDOW() + distributor.MAX_CHALLENGE_WINDOW());
    }

    function test_slashObjective_withRealPaymentChannelsReceipts() public {
        _registerAndStake(node, OperatorRole.Node, 100_000e18);
        vm.prank(payer);
        uint256 channelId = channels.open(node, 7, payer, 1_000e18);
        assertEq(channels.channelNode(channelId), node);
        UsageReceipt memory a = _receipt(channelId, 9, 5e18, keccak256("a"));
        UsageReceipt memory b = _receipt(channelId, 9, 6e18, keccak256("a"));
        // Signed in the real PaymentChannels EIP-712 domain.
        (uint8 va, bytes32 ra, bytes32 sa) = vm.sign(nodeKey, channels.receiptDigest(a));
        (uint8 vb, bytes32 rb, bytes32 sb) = vm.sign(nodeKey, channels.receiptDigest(b));
        bytes memory sigA = abi.encodePacked(ra, sa, va);
        bytes memory sigB = abi.encodePacked(rb, sb, vb);
        vm.prank(carol);
        uint256 amount = staking.slashObjective(a, sigA, b, sigB);
        assertEq(amount, 10_000e18);
        assertFalse(staking.isActiveOperator(node, OperatorRole.Node));
        // A jailed node cannot take new channels.
        vm.prank(payer);
        vm.expectRevert();
        channels.open(node, 7, payer, 1e18);
    }

    function test_notifyReward_fromRealPaymentChannelsRedemption() public {
        _registerAndStake(node, OperatorRole.Node, 100_000e18);
        vm.prank(node);
        staking.setCommission(1_000);
        vm.warp(block.timestamp + staking.MIN_UNBONDING_DELAY());
        vm.prank(alice);
        staking.delegate(node, 100_000e18);
        (address payerAddr, uint256 payerKey) = makeAddrAndKey("payer");
        vm.prank(payerAddr);
        uint256 channelId = channels.open(node, 7, payerAddr, 1_000e18);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, channels.voucherDigest(channelId, 100e18));
        channels.redeem(channelId, 100e18, abi.encodePacked(r, s, v));
        uint256 nodePart = channels.pendingNodeReward(node);
        assertEq(nodePart, 20e18, "nodeBps = 20% of 100 OPEN");
        uint256 balanceBefore = token.balanceOf(address(staking));
        channels.flushNodeReward(node);
        assertEq(token.balanceOf(address(staking)) - balanceBefore, nodePart);
        assertEq(staking.rewardReserve(), nodePart);
        // 10% commission to the node, the rest split per share between the node and alice (equal stakes).
        assertApproxEqAbs(staking.pendingRewards(node, node), 2e18 + 9e18, 1e6);
        assertApproxEqAbs(staking.pendingRewards(alice, node), 9e18, 1e6);
    }

    function test_meritVote_provenAgainstRealDistributorRoot() public {
        bytes32[] memory leaves = new bytes32[](3);
        leaves[0] = MeritTree.leaf(carol, 0, 8_000_000e18);
        leaves[1] = MeritTree.leaf(bob, 0, 2_000_000e18);
        leaves[2] = MeritTree.leaf(alice, 0, 1_000_000e18);
        bytes32 root = MeritTree.root(leaves);
        uint64 epochEnd = _postAndFinalize(root, 11_000_000e18);
        vm.warp(block.timestamp + 1);
        uint256 t = block.timestamp - 1;
        (bytes32 finalRoot, uint64 end, uint256 totalMerit) = distributor.finalRootAt(t);
        assertEq(finalRoot, root);
        assertEq(end, epochEnd);
        bytes memory params = abi.encode(uint256(0), uint256(8_000_000e18), MeritTree.proof(leaves, 0));
        uint256 merit = meritGovernor.meritVotes(carol, t, params);
        // k = 2, decayed over the day of the challenge window (+1 s) at a 30-day half-life: ~2.3% less.
        assertEq(merit, 2 * MeritDecayLib.decay(8_000_000e18, t - epochEnd, HALF_LIFE));
        assertLt(merit, 2 * 8_000_000e18 * 98 / 100);
        assertGt(merit, 2 * 8_000_000e18 * 97 / 100);
        // Bob cannot count carol's leaf.
        vm.expectRevert(abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, bob, root));
        meritGovernor.meritVotes(bob, t, params);
        // Quorum counts the root's decayed total merit.
        assertGt(meritGovernor.totalVotingSupply(t), token.getPastTotalSupply(t));
        assertEq(totalMerit, 11_000_000e18);
    }
}

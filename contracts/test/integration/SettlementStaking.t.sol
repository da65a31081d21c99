// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {StakingRegistry} from "../../src/staking/StakingRegistry.sol";
import {PaymentChannels} from "../../src/payments/PaymentChannels.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IOperatorStaking} from "../../src/interfaces/IOperatorStaking.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";
import {OperatorRole} from "../../src/types/Roles.sol";
import {UsageReceipt} from "../../src/types/UsageReceipt.sol";
import {SettlementModelTermsDouble} from "../utils/SettlementDoubles.sol";

/// @notice PaymentChannels with the real StakingRegistry (issue 5): only active staked nodes get channels, the node's
/// part reaches the operator's commission and its delegators through `notifyReward`, and two conflicting usage
/// receipts signed in the PaymentChannels domain slash the node at once.
contract SettlementStakingIntegrationTest is Test {
    address internal governance = makeAddr("governance");
    address internal treasury = makeAddr("treasury");
    address internal modelOwner = makeAddr("modelOwner");
    address internal delegator = makeAddr("delegator");
    address internal reporter = makeAddr("reporter");
    uint256 internal nodeKey = 0x90DE;
    address internal node = vm.addr(nodeKey);
    uint256 internal payerKey = 0xA9E27;
    address internal payer = vm.addr(payerKey);

    OpenToken internal token;
    StakingRegistry internal staking;
    SettlementModelTermsDouble internal models;
    RewardsDistributor internal distributor;
    PaymentChannels internal channels;

    function setUp() public {
        vm.warp(1_800_000_000);
        token = new OpenToken(treasury);
        staking = new StakingRegistry(token, governance, treasury);
        models = new SettlementModelTermsDouble();
        models.setTerms(1, modelOwner, 3_000, 1e15);
        distributor = new RewardsDistributor(
            token,
            governance,
            treasury,
            RewardsDistributor.Params({
                challengeWindow: 1 days, posterBond: 1_000e18, disputeBond: 500e18, winnerShareBps: 5_000
            }),
            30 days,
            365 days
        );
        channels = new PaymentChannels(
            token,
            IModelTerms(address(models)),
            IOperatorStaking(address(staking)),
            IRewardsDistributor(address(distributor)),
            governance,
            treasury,
            500,
            2_000,
            1 days
        );
        vm.startPrank(governance);
        staking.setRewardSource(address(channels), true);
        staking.setReceiptDomain(address(channels));
        vm.stopPrank();
        vm.startPrank(treasury);
        token.transfer(node, 20_000e18);
        token.transfer(delegator, 30_000e18);
        token.transfer(payer, 1_000e18);
        vm.stopPrank();
    }

    function _registerNode() internal {
        vm.startPrank(node);
        staking.register(OperatorRole.Node, "ipfs://bafknode");
        token.approve(address(staking), 10_000e18);
        staking.stake(10_000e18);
        vm.stopPrank();
        vm.startPrank(delegator);
        token.approve(address(staking), 30_000e18);
        staking.delegate(node, 30_000e18);
        vm.stopPrank();
    }

    function _openChannel() internal returns (uint256 id) {
        vm.startPrank(payer);
        token.approve(address(channels), 100e18);
        id = channels.open(node, 1, address(0), 100e18);
        vm.stopPrank();
    }

    function test_open_requiresAnActiveStakedNode() public {
        vm.startPrank(payer);
        token.approve(address(channels), 100e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNodeNotActive.selector, node));
        channels.open(node, 1, address(0), 100e18);
        vm.stopPrank();
        _registerNode();
        assertEq(_openChannel(), 1);
    }

    function test_redeem_nodePartReachesCommissionAndDelegators() public {
        _registerNode();
        uint256 id = _openChannel();
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(payerKey, channels.voucherDigest(id, 50e18));
        channels.redeem(id, 50e18, abi.encodePacked(r, s, v));
        assertEq(channels.pendingNodeReward(node), 10e18); // 20% of 50
        channels.flushNodeReward(node);
        assertEq(token.balanceOf(address(staking)), 40_000e18 + 10e18);
        // Commission to the operator, the rest to the stake pool pro rata (node 10k self-stake, delegator 30k).
        uint256 toNode = staking.pendingRewards(node, node);
        uint256 toDelegator = staking.pendingRewards(delegator, node);
        assertApproxEqAbs(toNode + toDelegator, 10e18, 10);
        assertGt(toDelegator, 0);
        uint256 before = token.balanceOf(delegator);
        vm.prank(delegator);
        staking.claimRewards(node);
        assertEq(token.balanceOf(delegator) - before, toDelegator);
    }

    function test_conflictingReceipts_slashNodeThroughReceiptDomain() public {
        _registerNode();
        uint256 id = _openChannel();
        UsageReceipt memory a = UsageReceipt(id, 7, 1, keccak256("adapter"), 10, 20, 1e18, keccak256("req-a"));
        UsageReceipt memory b = UsageReceipt(id, 7, 1, keccak256("adapter"), 10, 20, 2e18, keccak256("req-b"));
        (uint8 v1, bytes32 r1, bytes32 s1) = vm.sign(nodeKey, channels.receiptDigest(a));
        (uint8 v2, bytes32 r2, bytes32 s2) = vm.sign(nodeKey, channels.receiptDigest(b));
        uint256 stakeBefore = token.balanceOf(address(staking));
        vm.prank(reporter);
        uint256 slashed = staking.slashObjective(a, abi.encodePacked(r1, s1, v1), b, abi.encodePacked(r2, s2, v2));
        assertGt(slashed, 0);
        assertEq(stakeBefore - token.balanceOf(address(staking)), slashed);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SettlementFixture} from "../utils/SettlementFixture.sol";
import {SettlementModelTermsDouble} from "../utils/SettlementDoubles.sol";
import {PaymentChannels} from "../../src/payments/PaymentChannels.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IOperatorStaking} from "../../src/interfaces/IOperatorStaking.sol";
import {PaymentsSplitLib} from "../../src/libraries/PaymentsSplitLib.sol";
import {UsageReceipt, hashUsageReceipt} from "../../src/types/UsageReceipt.sol";

/// @notice An ERC-1271 wallet whose vouchers are signed by an owner key.
contract SettlementWallet1271 is IERC1271 {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4) {
        (address r,,) = ECDSA.tryRecover(hash, signature);
        return r == owner ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}

contract PaymentChannelsTest is SettlementFixture {
    /* OPEN */

    function test_open_createsChannelAndPullsDeposit() public {
        vm.startPrank(payer);
        token.approve(address(channels), 100e18);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelOpened(1, payer, node, MODEL_ID, payer, 100e18);
        uint256 id = channels.open(node, MODEL_ID, address(0), 100e18);
        vm.stopPrank();
        assertEq(id, 1);
        IPaymentChannels.Channel memory c = channels.channel(id);
        assertEq(c.node, node);
        assertEq(c.payer, payer);
        assertEq(c.signer, payer);
        assertEq(c.modelId, MODEL_ID);
        assertEq(c.deposit, 100e18);
        assertEq(c.redeemed, 0);
        assertEq(token.balanceOf(address(channels)), 100e18);
        assertEq(channels.channelNode(id), node);
        assertEq(channels.channelCount(), 1);
    }

    function test_open_revertsForInactiveNode() public {
        address stranger = makeAddr("stranger");
        vm.startPrank(payer);
        token.approve(address(channels), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNodeNotActive.selector, stranger));
        channels.open(stranger, MODEL_ID, address(0), 1e18);
        vm.stopPrank();
    }

    function test_open_revertsForUnknownModel() public {
        vm.startPrank(payer);
        token.approve(address(channels), 1e18);
        vm.expectRevert(abi.encodeWithSelector(SettlementModelTermsDouble.ModelNotFound.selector, 99));
        channels.open(node, 99, address(0), 1e18);
        vm.stopPrank();
    }

    function test_open_revertsOnBadInput() public {
        vm.startPrank(payer);
        token.approve(address(channels), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsZeroAmount.selector));
        channels.open(node, MODEL_ID, address(0), 0);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsZeroAddress.selector, "node"));
        channels.open(address(0), MODEL_ID, address(0), 1e18);
        uint256 big = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsModelIdTooLarge.selector, big));
        channels.open(node, big, address(0), 1e18);
        vm.stopPrank();
        assertEq(channels.channelCount(), 0);
    }

    function test_openWithPermit_depositsInOneTransaction() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(payerKey, address(channels), 50e18, deadline);
        vm.prank(payer);
        uint256 id = channels.openWithPermit(node, MODEL_ID, address(0), 50e18, deadline, v, r, s);
        assertEq(channels.channel(id).deposit, 50e18);
        assertEq(token.balanceOf(address(channels)), 50e18);
        assertEq(token.nonces(payer), 1);
    }

    function test_openWithPermit_survivesFrontRunPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(payerKey, address(channels), 50e18, deadline);
        // Someone submits the permit first: the allowance is set, the second permit fails, the open still works.
        token.permit(payer, address(channels), 50e18, deadline, v, r, s);
        vm.prank(payer);
        uint256 id = channels.openWithPermit(node, MODEL_ID, address(0), 50e18, deadline, v, r, s);
        assertEq(channels.channel(id).deposit, 50e18);
    }

    function test_openWithPermit_revertsWithBadPermitAndNoAllowance() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(payerKey, address(channels), 50e18, deadline);
        vm.prank(payer);
        vm.expectRevert();
        channels.openWithPermit(node, MODEL_ID, address(0), 60e18, deadline, v, r, s);
        assertEq(channels.channelCount(), 0);
    }

    /* TOP UP */

    function test_topUpWithPermit_addsToDeposit() public {
        uint256 id = _open(10e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(payerKey, address(channels), 5e18, deadline);
        vm.prank(payer);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelToppedUp(id, 5e18, 15e18);
        channels.topUpWithPermit(id, 5e18, deadline, v, r, s);
        assertEq(channels.channel(id).deposit, 15e18);
    }

    function test_topUp_revertsWhileClosingOrUnknown() public {
        uint256 id = _open(10e18);
        vm.prank(payer);
        channels.requestClose(id);
        vm.startPrank(payer);
        token.approve(address(channels), 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannelsChannelClosing.selector, id, block.timestamp + NOTICE
            )
        );
        channels.topUp(id, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsUnknownChannel.selector, 7));
        channels.topUp(7, 1e18);
        vm.stopPrank();
    }

    /* REDEEM */

    function test_redeem_splitsPerMoneyRoutes() public {
        uint256 id = _open(100e18);
        uint256 amount = 10e18;
        uint256 paid = channels.redeem(id, amount, _voucher(payerKey, id, amount));
        assertEq(paid, amount);
        // treasury 5% = 0.5; node 20% = 2; rest 7.5: owner 30% = 2.25, pool 5.25.
        assertEq(channels.creditOf(treasury), 0.5e18);
        assertEq(channels.pendingNodeReward(node), 2e18);
        assertEq(channels.creditOf(modelOwner), 2.25e18);
        assertEq(channels.pendingPool(MODEL_ID), 5.25e18);
        assertEq(channels.channel(id).redeemed, amount);
    }

    function test_redeem_emitsSplit() public {
        uint256 id = _open(100e18);
        IPaymentChannels.Split memory s = IPaymentChannels.Split(0.5e18, 2e18, 2.25e18, 5.25e18);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.VoucherRedeemed(id, node, MODEL_ID, 10e18, 10e18, modelOwner, s);
        channels.redeem(id, 10e18, _voucher(payerKey, id, 10e18));
    }

    function test_redeem_paysOnlyTheDifference() public {
        uint256 id = _open(100e18);
        channels.redeem(id, 10e18, _voucher(payerKey, id, 10e18));
        uint256 paid = channels.redeem(id, 25e18, _voucher(payerKey, id, 25e18));
        assertEq(paid, 15e18);
        assertEq(channels.channel(id).redeemed, 25e18);
    }

    function test_redeem_revertsOnReplay() public {
        uint256 id = _open(100e18);
        bytes memory sig = _voucher(payerKey, id, 10e18);
        channels.redeem(id, 10e18, sig);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNothingToRedeem.selector, id, 10e18, 10e18)
        );
        channels.redeem(id, 10e18, sig);
        // An older, smaller voucher is worthless too.
        bytes memory older = _voucher(payerKey, id, 5e18);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNothingToRedeem.selector, id, 5e18, 10e18)
        );
        channels.redeem(id, 5e18, older);
    }

    function test_redeem_revertsForAnotherChannel() public {
        uint256 a = _open(100e18);
        uint256 b = _open(100e18);
        bytes memory sigA = _voucher(payerKey, a, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsInvalidSignature.selector, b));
        channels.redeem(b, 10e18, sigA);
        assertEq(channels.channel(b).redeemed, 0);
    }

    function test_redeem_revertsForAnotherChain() public {
        uint256 id = _open(100e18);
        uint256 chainId = block.chainid;
        vm.chainId(chainId + 1);
        bytes memory foreign = _voucher(payerKey, id, 10e18);
        vm.chainId(chainId);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsInvalidSignature.selector, id));
        channels.redeem(id, 10e18, foreign);
    }

    function test_redeem_revertsForAnotherContract() public {
        PaymentChannels other = _deployChannels(IModelTerms(address(models)), IOperatorStaking(address(staking)));
        uint256 id = _open(100e18);
        bytes memory foreign = _voucherOn(other, payerKey, id, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsInvalidSignature.selector, id));
        channels.redeem(id, 10e18, foreign);
    }

    function test_redeem_revertsForWrongSignerOrAmount() public {
        uint256 id = _open(100e18);
        bytes memory stranger = _voucher(0xB0B, id, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsInvalidSignature.selector, id));
        channels.redeem(id, 10e18, stranger);
        bytes memory sig = _voucher(payerKey, id, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsInvalidSignature.selector, id));
        channels.redeem(id, 11e18, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsUnknownChannel.selector, 42));
        channels.redeem(42, 10e18, sig);
    }

    function test_redeem_capsAtDepositAndResumesAfterTopUp() public {
        uint256 id = _open(10e18);
        bytes memory sig = _voucher(payerKey, id, 15e18);
        assertEq(channels.redeem(id, 15e18, sig), 10e18);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNothingToRedeem.selector, id, 15e18, 10e18)
        );
        channels.redeem(id, 15e18, sig);
        vm.startPrank(payer);
        token.approve(address(channels), 10e18);
        channels.topUp(id, 10e18);
        vm.stopPrank();
        assertEq(channels.redeem(id, 15e18, sig), 5e18);
    }

    function test_redeem_worksDuringNoticeButNotAfterWithdrawal() public {
        uint256 id = _open(100e18);
        vm.prank(payer);
        channels.requestClose(id);
        vm.warp(block.timestamp + NOTICE - 1);
        channels.redeem(id, 10e18, _voucher(payerKey, id, 10e18));
        vm.warp(block.timestamp + 1);
        vm.prank(payer);
        assertEq(channels.withdraw(id), 90e18);
        bytes memory late = _voucher(payerKey, id, 20e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsChannelSettled.selector, id));
        channels.redeem(id, 20e18, late);
    }

    function test_redeem_delegatedSignerAndErc1271() public {
        uint256 hotKey = 0xB07;
        SettlementWallet1271 wallet = new SettlementWallet1271(vm.addr(hotKey));
        vm.startPrank(payer);
        token.approve(address(channels), 20e18);
        uint256 a = channels.open(node, MODEL_ID, vm.addr(hotKey), 10e18);
        uint256 b = channels.open(node, MODEL_ID, address(wallet), 10e18);
        vm.stopPrank();
        assertEq(channels.redeem(a, 1e18, _voucher(hotKey, a, 1e18)), 1e18);
        assertEq(channels.redeem(b, 2e18, _voucher(hotKey, b, 2e18)), 2e18);
        bytes memory notOwner = _voucher(payerKey, b, 3e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsInvalidSignature.selector, b));
        channels.redeem(b, 3e18, notOwner);
    }

    function test_redeem_ownerlessModelPaysTreasury() public {
        models.setTerms(MODEL_ID, address(0), OWNER_BPS, 1e15);
        uint256 id = _open(100e18);
        channels.redeem(id, 10e18, _voucher(payerKey, id, 10e18));
        assertEq(channels.creditOf(treasury), 0.5e18 + 2.25e18);
    }

    function test_redeem_revertsOnBadOwnerBps() public {
        uint256 id = _open(100e18);
        models.setTerms(MODEL_ID, modelOwner, 10_001, 1e15);
        bytes memory sig = _voucher(payerKey, id, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsBadOwnerBps.selector, MODEL_ID, 10_001));
        channels.redeem(id, 10e18, sig);
        assertEq(channels.channel(id).redeemed, 0);
    }

    function test_redeemMany_redeemsSeveralChannels() public {
        uint256 a = _open(100e18);
        uint256 b = _open(100e18);
        IPaymentChannels.Redemption[] memory rs = new IPaymentChannels.Redemption[](2);
        rs[0] = IPaymentChannels.Redemption(a, 3e18, _voucher(payerKey, a, 3e18));
        rs[1] = IPaymentChannels.Redemption(b, 4e18, _voucher(payerKey, b, 4e18));
        assertEq(channels.redeemMany(rs), 7e18);
        vm.expectRevert(IPaymentChannels.PaymentChannelsEmptyBatch.selector);
        channels.redeemMany(new IPaymentChannels.Redemption[](0));
    }

    /* CLOSE AND WITHDRAW */

    function test_withdraw_onlyAfterNoticeAndOnlyPayer() public {
        uint256 id = _open(100e18);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsCloseNotRequested.selector, id));
        channels.withdraw(id);
        vm.prank(node);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNotPayer.selector, id, node));
        channels.requestClose(id);
        vm.prank(payer);
        channels.requestClose(id);
        uint256 closesAt = block.timestamp + NOTICE;
        vm.prank(payer);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannelsNoticeNotElapsed.selector, id, closesAt, block.timestamp
            )
        );
        channels.withdraw(id);
        vm.warp(closesAt);
        uint256 before = token.balanceOf(payer);
        vm.prank(payer);
        channels.withdraw(id);
        assertEq(token.balanceOf(payer) - before, 100e18);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsChannelSettled.selector, id));
        channels.withdraw(id);
    }

    function test_withdraw_fullyRedeemedChannelSettlesWithZeroRefund() public {
        uint256 id = _open(10e18);
        channels.redeem(id, 10e18, _voucher(payerKey, id, 10e18));
        vm.prank(payer);
        channels.requestClose(id);
        vm.warp(block.timestamp + NOTICE);
        uint256 before = token.balanceOf(payer);
        vm.prank(payer);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelSettled(id, payer, 0);
        assertEq(channels.withdraw(id), 0);
        assertEq(token.balanceOf(payer), before);
        assertTrue(channels.channel(id).settled);
    }

    /* CREDITS AND POOLS */

    function test_withdrawCredit_paysOwnerAndTreasury() public {
        uint256 id = _open(100e18);
        channels.redeem(id, 10e18, _voucher(payerKey, id, 10e18));
        address to = makeAddr("ownerWallet");
        vm.prank(modelOwner);
        assertEq(channels.withdrawCredit(to), 2.25e18);
        assertEq(token.balanceOf(to), 2.25e18);
        assertEq(channels.creditOf(modelOwner), 0);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNoCredit.selector, modelOwner));
        channels.withdrawCredit(to);
    }

    function test_flushNodeReward_goesThroughStaking() public {
        uint256 id = _open(100e18);
        channels.redeem(id, 10e18, _voucher(payerKey, id, 10e18));
        channels.redeem(id, 20e18, _voucher(payerKey, id, 20e18));
        vm.expectEmit(address(channels));
        emit IPaymentChannels.NodeRewardFlushed(node, 4e18);
        assertEq(channels.flushNodeReward(node), 4e18);
        assertEq(token.balanceOf(address(staking)), 4e18);
        assertEq(staking.commissionOf(node) + staking.delegatorPotOf(node), 4e18);
        assertEq(channels.pendingNodeReward(node), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNothingToFlush.selector, uint256(uint160(node)))
        );
        channels.flushNodeReward(node);
    }

    function test_flushPool_fundsDistributor() public {
        uint256 id = _open(100e18);
        channels.redeem(id, 10e18, _voucher(payerKey, id, 10e18));
        assertEq(channels.flushPool(MODEL_ID), 5.25e18);
        (uint256 funded,,,) = distributor.totals();
        assertEq(funded, 5.25e18);
        assertEq(token.balanceOf(address(distributor)), 5.25e18);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNothingToFlush.selector, MODEL_ID));
        channels.flushPool(MODEL_ID);
    }

    /* GOVERNANCE */

    function test_setSplit_onlyGovernanceWithinBounds() public {
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannelsNotGovernance.selector, address(this)));
        channels.setSplit(100, 100);
        vm.startPrank(governance);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannelsParameterOutOfBounds.selector, "treasuryBps", 2_001, 0, 2_000
            )
        );
        channels.setSplit(2_001, 100);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannelsParameterOutOfBounds.selector, "nodeBps", 5_001, 0, 5_000
            )
        );
        channels.setSplit(100, 5_001);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.SplitSet(100, 200);
        channels.setSplit(100, 200);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannelsParameterOutOfBounds.selector, "noticePeriod", 59, 1 hours, 30 days
            )
        );
        channels.setNoticePeriod(59);
        channels.setNoticePeriod(2 days);
        vm.stopPrank();
        (uint16 t, uint16 n, uint32 p) = channels.parameters();
        assertEq(t, 100);
        assertEq(n, 200);
        assertEq(p, 2 days);
    }

    /* RECEIPTS */

    function test_receiptDigest_matchesEip712() public view {
        UsageReceipt memory r = UsageReceipt(1, 2, MODEL_ID, keccak256("adapter"), 10, 20, 3e18, keccak256("req"));
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("PaymentChannels"),
                keccak256("1"),
                block.chainid,
                address(channels)
            )
        );
        assertEq(channels.receiptDigest(r), keccak256(abi.encodePacked("\x19\x01", domain, hashUsageReceipt(r))));
    }

    /* FUZZ */

    function testFuzz_split_partsSumExactly(uint256 amount, uint16 tBps, uint16 nBps, uint16 oBps) public pure {
        amount = bound(amount, 0, type(uint128).max);
        tBps = uint16(bound(tBps, 0, 2_000));
        nBps = uint16(bound(nBps, 0, 5_000));
        oBps = uint16(bound(oBps, 0, 10_000));
        IPaymentChannels.Split memory s = PaymentsSplitLib.split(amount, tBps, nBps, oBps);
        assertEq(s.treasuryPart + s.nodePart + s.ownerPart + s.poolPart, amount);
        // Each part is its floored share; only the treasury gets the dust (at most 3 wei of it).
        assertEq(s.nodePart, amount * nBps / 10_000);
        assertGe(s.treasuryPart, amount * tBps / 10_000);
        assertLe(s.treasuryPart, amount * tBps / 10_000 + 3);
    }

    function testFuzz_redeem_neverExceedsDeposit(uint256 deposit, uint256 a, uint256 b) public {
        deposit = bound(deposit, 1, 1_000_000e18);
        a = bound(a, 1, 2_000_000e18);
        b = bound(b, a, 2_000_000e18);
        uint256 id = _open(deposit);
        uint256 paid = channels.redeem(id, a, _voucher(payerKey, id, a));
        if (b > a && a < deposit) paid += channels.redeem(id, b, _voucher(payerKey, id, b));
        assertLe(paid, deposit);
        assertEq(paid, b < deposit ? b : deposit);
        assertEq(channels.channel(id).redeemed, paid);
    }
}

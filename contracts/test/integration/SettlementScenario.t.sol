// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {DatanetRegistry} from "../../src/data/DatanetRegistry.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {PaymentChannels} from "../../src/payments/PaymentChannels.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {IDatanetRegistry} from "../../src/interfaces/IDatanetRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IOperatorStaking} from "../../src/interfaces/IOperatorStaking.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";
import {UsageReceipt} from "../../src/types/UsageReceipt.sol";
import {StakingRegistry} from "../../src/staking/StakingRegistry.sol";
import {OperatorRole} from "../../src/types/Roles.sol";
import {SettlementMerkle} from "../utils/SettlementMerkle.sol";

/// @notice The full settlement loop on the real OPEN token, DatanetRegistry and ModelRegistry: deposit with permit ->
/// vouchers and usage receipts -> redemption -> split -> pools flushed -> roots posted (happy path and dispute path)
/// -> claims across three epochs in one claim, a repeat claim and a signed claim to another recipient. Every contract
/// is the real one (StakingRegistry included).
contract SettlementScenarioTest is Test {
    using SettlementMerkle for SettlementMerkle.Leaf[];

    address internal governance = makeAddr("governance");
    address internal treasury = makeAddr("treasury");
    address internal builder = makeAddr("builder");
    address internal keeper = makeAddr("keeper");
    address internal watcher = makeAddr("watcher");
    uint256 internal nodeKey = 0x90DE;
    address internal node = vm.addr(nodeKey);
    uint256 internal payerKey = 0xA9E27;
    address internal payer = vm.addr(payerKey);
    uint256 internal c3Key = 0xC3;
    address internal c1 = makeAddr("contributor1");
    address internal c2 = makeAddr("contributor2");
    address internal c3 = vm.addr(c3Key);

    OpenToken internal token;
    DatanetRegistry internal datanets;
    ModelRegistry internal models;
    StakingRegistry internal staking;
    RewardsDistributor internal distributor;
    PaymentChannels internal channels;
    uint256 internal modelId;
    uint256 internal channelId;
    uint256 internal paidSoFar;

    function setUp() public {
        vm.warp(1_800_000_000);
        token = new OpenToken(treasury);
        datanets = new DatanetRegistry(token, governance, treasury);
        models = new ModelRegistry(token, datanets, governance, treasury);
        staking = new StakingRegistry(token, governance, treasury);
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
        vm.prank(governance);
        staking.setRewardSource(address(channels), true);
        vm.startPrank(treasury);
        token.transfer(node, 10_000e18);
        token.transfer(payer, 10_000e18);
        token.transfer(keeper, 10_000e18);
        token.transfer(watcher, 10_000e18);
        token.transfer(builder, 10_000e18);
        vm.stopPrank();
        vm.startPrank(node);
        staking.register(OperatorRole.Node, "ipfs://bafknode");
        token.approve(address(staking), 10_000e18);
        staking.stake(10_000e18);
        vm.stopPrank();
        vm.prank(governance);
        distributor.setPoster(keeper, true);
        vm.startPrank(keeper);
        token.approve(address(distributor), 5_000e18);
        distributor.depositBond(5_000e18);
        vm.stopPrank();

        // A Datanet version and a model NFT trained on it (the builder owns the open Datanet).
        vm.startPrank(builder);
        token.approve(address(datanets), type(uint256).max);
        token.approve(address(models), type(uint256).max);
        uint256 dn = datanets.createDatanet(
            "ipfs://bafkmeta",
            IDatanetRegistry.DataType.Text,
            1_000_000,
            IDatanetRegistry.Rules({
                maxItemSize: 0,
                dailyLimit: 0,
                bond: 0,
                validatorGated: false,
                acceptStakedValidators: false,
                openAccess: false,
                accessFee: 0
            })
        );
        datanets.publishDatanet(dn);
        bytes memory item = abi.encodePacked(keccak256("doc"), uint64(1000));
        // commit, then reveal a block later (commit-reveal binds the contributor)
        datanets.commitContribution(keccak256(abi.encode(builder, dn, keccak256(item), bytes32("salt"))));
        vm.roll(block.number + 1);
        datanets.contributeBatch(dn, item, 0, bytes32("salt"));
        uint256 version = datanets.publishVersion(dn, keccak256("version root"), 1, "ipfs://bafkversion");
        IModelRegistry.DatasetRef[] memory ds = new IModelRegistry.DatasetRef[](1);
        ds[0] = IModelRegistry.DatasetRef(dn, version);
        modelId = models.mint(
            IModelRegistry.MintParams({
                baseModelDigest: keccak256("base.gguf"),
                adapterDigest: keccak256("adapter.gguf"),
                manifestDigest: keccak256("manifest.json"),
                datasets: ds,
                pricePer1kTokens: 1e15,
                ownerBps: 3_000,
                metadataDigest: bytes32(0)
            })
        );
        vm.stopPrank();
    }

    /// @dev Serves `n` requests of 500 tokens: the node signs a receipt for each, the payer a voucher covering it.
    function _serve(uint256 n) internal returns (uint256 cumulative, bytes memory voucher) {
        (,, uint256 price) = models.revenueTerms(modelId);
        cumulative = paidSoFar;
        for (uint256 i; i < n; ++i) {
            cumulative += 500 * price / 1000;
            UsageReceipt memory r = UsageReceipt(
                channelId,
                uint64(cumulative / 1e13),
                modelId,
                keccak256("adapter.gguf"),
                200,
                300,
                cumulative,
                keccak256(abi.encode("request", cumulative))
            );
            (uint8 v, bytes32 rr, bytes32 s) = vm.sign(nodeKey, channels.receiptDigest(r));
            assertEq(ECDSA.recover(channels.receiptDigest(r), v, rr, s), channels.channelNode(channelId));
            (v, rr, s) = vm.sign(payerKey, channels.voucherDigest(channelId, cumulative));
            voucher = abi.encodePacked(rr, s, v);
        }
    }

    function _epochRevenue(uint256 inferences) internal returns (uint256 pool) {
        (uint256 cumulative, bytes memory voucher) = _serve(inferences);
        vm.prank(node);
        uint256 paid = channels.redeem(channelId, cumulative, voucher);
        assertEq(paid, cumulative - paidSoFar);
        paidSoFar = cumulative;
        pool = channels.flushPool(modelId);
        channels.flushNodeReward(node);
    }

    function _leaves(uint256 a1, uint256 a2, uint256 a3) internal view returns (SettlementMerkle.Leaf[] memory l) {
        l = new SettlementMerkle.Leaf[](3);
        l[0] = SettlementMerkle.Leaf(c1, a1, a1 / 1e12);
        l[1] = SettlementMerkle.Leaf(c2, a2, a2 / 1e12);
        l[2] = SettlementMerkle.Leaf(c3, a3, a3 / 1e12);
    }

    function _post(uint256 epoch, SettlementMerkle.Leaf[] memory l) internal returns (uint256 index) {
        uint256 total = l[0].cumulativeAmount + l[1].cumulativeAmount + l[2].cumulativeAmount;
        uint256 merit = l[0].merit + l[1].merit + l[2].merit;
        vm.prank(keeper);
        index = distributor.postRoot(epoch, block.timestamp - 1, l.root(), total, merit, "bafkinputs");
    }

    uint256[3] internal cum;
    uint256 internal pools;
    uint256 internal finalTime1;
    uint256 internal epoch1Index;
    uint256 internal c2Epoch1;

    function _addPool(uint256 pool) internal {
        pools += pool;
        cum[0] += pool / 2;
        cum[1] += pool * 3 / 10;
        cum[2] += pool - pool / 2 - pool * 3 / 10;
    }

    function _depositWithPermit() internal {
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 permitHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                payer,
                address(channels),
                100e18,
                token.nonces(payer),
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(payerKey, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), permitHash)));
        vm.prank(payer);
        channelId = channels.openWithPermit(node, modelId, address(0), 100e18, deadline, v, r, s);
    }

    function _epoch1HappyPath() internal {
        // 40 inferences, redeemed at once; the split follows the money routes.
        uint256 pool1 = _epochRevenue(40);
        uint256 x1 = 40 * 5e14; // 0.02 OPEN
        IPaymentChannels.Split memory sp = channels.previewSplit(x1, 3_000);
        assertEq(pool1, sp.poolPart);
        assertEq(channels.creditOf(builder), sp.ownerPart);
        assertEq(channels.creditOf(treasury), sp.treasuryPart);
        assertEq(token.balanceOf(address(staking)), 10_000e18 + sp.nodePart);
        assertEq(staking.pendingRewards(node, node), sp.nodePart); // sole staker: commission and pool both its own
        assertEq(sp.treasuryPart + sp.nodePart + sp.ownerPart + sp.poolPart, x1);
        // Keepers attribute the pool 50/30/20 and post the root; nobody disputes; it goes final.
        _addPool(pool1);
        SettlementMerkle.Leaf[] memory l1 = _leaves(cum[0], cum[1], cum[2]);
        epoch1Index = _post(1, l1);
        vm.warp(block.timestamp + 1 days);
        distributor.finalize(epoch1Index);
        finalTime1 = block.timestamp;
        // c2 claims epoch 1 right away.
        c2Epoch1 = cum[1];
        assertEq(distributor.claim(c2, cum[1], cum[1] / 1e12, l1.proof(1)), cum[1]);
    }

    function _epoch2DisputePath() internal {
        vm.warp(block.timestamp + 1 hours);
        _addPool(_epochRevenue(100));
        // A bad root (contributor 3's share paid to contributor 1) is disputed and rejected.
        uint256 iBad = _post(2, _leaves(cum[0] + cum[2], cum[1], 0));
        vm.startPrank(watcher);
        token.approve(address(distributor), 500e18);
        distributor.dispute(iBad, "recomputed from bafkinputs: contributor3 missing");
        vm.stopPrank();
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsRootNotPending.selector, iBad, IRewardsDistributor.RootStatus.Disputed
            )
        );
        distributor.finalize(iBad);
        uint256 watcherBefore = token.balanceOf(watcher);
        vm.prank(governance);
        distributor.resolveDispute(iBad, false);
        assertEq(token.balanceOf(watcher) - watcherBefore, 500e18 + 500e18); // own bond back + half the poster's
        // The corrected root for the same epoch goes final.
        uint256 i2 = _post(2, _leaves(cum[0], cum[1], cum[2]));
        vm.warp(block.timestamp + 1 days);
        distributor.finalize(i2);
    }

    function _epoch3AndClaims() internal {
        vm.warp(block.timestamp + 1 hours);
        _addPool(_epochRevenue(60));
        SettlementMerkle.Leaf[] memory l3 = _leaves(cum[0], cum[1], cum[2]);
        uint256 i3 = _post(3, l3);
        vm.warp(block.timestamp + 1 days);
        distributor.finalize(i3);
        // c1 never claimed: one claim pays all three epochs.
        assertEq(distributor.claim(c1, cum[0], cum[0] / 1e12, l3.proof(0)), cum[0]);
        // c2 claimed epoch 1: a repeat claim pays epochs 2 and 3.
        assertEq(distributor.claim(c2, cum[1], cum[1] / 1e12, l3.proof(1)), cum[1] - c2Epoch1);
        // c3 signs a claim to a cold wallet; a relayer submits it.
        address cold = makeAddr("cold");
        uint256 dl = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(c3Key, distributor.claimToDigest(c3, cold, distributor.nonces(c3), dl));
        distributor.claimTo(c3, cold, cum[2], cum[2] / 1e12, l3.proof(2), dl, abi.encodePacked(r, s, v));
        assertEq(token.balanceOf(cold), cum[2]);
        // Everything funded was paid, exactly: pools in, claims out.
        assertEq(token.balanceOf(c1) + token.balanceOf(c2) + token.balanceOf(cold), pools);
        (uint256 funded,,, uint256 available) = distributor.totals();
        assertEq(funded, pools);
        assertEq(available, 0);
        (bytes32 root,,) = distributor.finalRootAt(block.timestamp);
        assertEq(root, l3.root());
    }

    function test_scenario_depositVouchersSplitRootsDisputeAndClaims() public {
        _depositWithPermit();
        _epoch1HappyPath();
        _epoch2DisputePath();
        _epoch3AndClaims();

        // Merit roots history for the Governor: epoch 1's root was the final one at that time.
        (bytes32 root, uint64 epochEnd, uint256 totalMerit) = distributor.finalRootAt(finalTime1);
        assertEq(root, distributor.rootRecord(epoch1Index).root);
        assertEq(epochEnd, distributor.rootRecord(epoch1Index).epochEnd);
        assertEq(totalMerit, distributor.rootRecord(epoch1Index).totalMerit);

        // The payer leaves: unspent funds come back after the notice; nothing is lost.
        vm.prank(payer);
        channels.requestClose(channelId);
        vm.warp(block.timestamp + 1 days);
        vm.prank(payer);
        assertEq(channels.withdraw(channelId), 100e18 - paidSoFar);
        assertEq(token.balanceOf(payer), 10_000e18 - paidSoFar);
        assertEq(token.balanceOf(address(channels)), channels.creditOf(builder) + channels.creditOf(treasury));
    }
}

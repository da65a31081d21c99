// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {PaymentChannels} from "../../src/payments/PaymentChannels.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IOperatorStaking} from "../../src/interfaces/IOperatorStaking.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {SettlementModelTermsDouble, SettlementStakingDouble} from "./SettlementDoubles.sol";
import {SettlementMerkle} from "./SettlementMerkle.sol";

/// @notice Deploys the real OPEN token, the settlement contracts and the registry doubles, with funded actors.
abstract contract SettlementFixture is Test {
    uint16 internal constant TREASURY_BPS = 500;
    uint16 internal constant NODE_BPS = 2_000;
    uint16 internal constant OWNER_BPS = 3_000;
    uint32 internal constant NOTICE = 1 days;
    uint32 internal constant WINDOW = 1 days;
    uint96 internal constant POSTER_BOND = 1_000e18;
    uint96 internal constant DISPUTE_BOND = 500e18;
    uint16 internal constant WINNER_SHARE_BPS = 5_000;
    uint256 internal constant MODEL_ID = 1;

    address internal governance = makeAddr("governance");
    address internal treasury = makeAddr("treasury");
    address internal node = makeAddr("node");
    address internal modelOwner = makeAddr("modelOwner");
    address internal poster = makeAddr("poster");
    address internal disputer = makeAddr("disputer");
    uint256 internal payerKey = 0xA11CE;
    address internal payer = vm.addr(payerKey);

    OpenToken internal token;
    SettlementModelTermsDouble internal models;
    SettlementStakingDouble internal staking;
    RewardsDistributor internal distributor;
    PaymentChannels internal channels;

    function setUp() public virtual {
        vm.warp(1_750_000_000);
        token = new OpenToken(treasury);
        models = new SettlementModelTermsDouble();
        models.setTerms(MODEL_ID, modelOwner, OWNER_BPS, 1e15);
        staking = new SettlementStakingDouble(token);
        staking.setActive(node, true);
        distributor = _deployDistributor();
        channels = _deployChannels(IModelTerms(address(models)), IOperatorStaking(address(staking)));
        vm.startPrank(treasury);
        token.transfer(payer, 1_000_000e18);
        token.transfer(poster, 100_000e18);
        token.transfer(disputer, 100_000e18);
        vm.stopPrank();
        vm.prank(governance);
        distributor.setPoster(poster, true);
    }

    function _deployDistributor() internal returns (RewardsDistributor) {
        return new RewardsDistributor(
            token,
            governance,
            treasury,
            RewardsDistributor.Params({
                challengeWindow: WINDOW,
                posterBond: POSTER_BOND,
                disputeBond: DISPUTE_BOND,
                winnerShareBps: WINNER_SHARE_BPS
            }),
            30 days,
            365 days
        );
    }

    function _deployChannels(IModelTerms models_, IOperatorStaking staking_) internal returns (PaymentChannels) {
        return new PaymentChannels(
            token,
            models_,
            staking_,
            IRewardsDistributor(address(distributor)),
            governance,
            treasury,
            TREASURY_BPS,
            NODE_BPS,
            NOTICE
        );
    }

    /* CHANNEL HELPERS */

    function _open(uint256 amount) internal returns (uint256 id) {
        vm.startPrank(payer);
        token.approve(address(channels), amount);
        id = channels.open(node, MODEL_ID, address(0), amount);
        vm.stopPrank();
    }

    function _voucher(uint256 key, uint256 channelId, uint256 amount) internal view returns (bytes memory) {
        return _voucherOn(channels, key, channelId, amount);
    }

    function _voucherOn(PaymentChannels pc, uint256 key, uint256 channelId, uint256 amount)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, pc.voucherDigest(channelId, amount));
        return abi.encodePacked(r, s, v);
    }

    /* PERMIT HELPER */

    function _permitSig(uint256 key, address spender, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        address owner = vm.addr(key);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                spender,
                value,
                token.nonces(owner),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(key, digest);
    }

    /* DISTRIBUTOR HELPERS */

    function _fund(uint256 amount) internal {
        vm.startPrank(treasury);
        token.approve(address(distributor), amount);
        distributor.fundPool(0, amount);
        vm.stopPrank();
    }

    function _bond(uint256 amount) internal {
        vm.startPrank(poster);
        token.approve(address(distributor), amount);
        distributor.depositBond(amount);
        vm.stopPrank();
    }

    function _post(uint256 epoch, bytes32 root, uint256 total, uint256 totalMerit) internal returns (uint256 index) {
        vm.prank(poster);
        index = distributor.postRoot(epoch, block.timestamp - 1, root, total, totalMerit, "bafkinputs");
    }

    function _postFinal(uint256 epoch, bytes32 root, uint256 total, uint256 totalMerit)
        internal
        returns (uint256 index)
    {
        index = _post(epoch, root, total, totalMerit);
        vm.warp(block.timestamp + WINDOW);
        distributor.finalize(index);
    }

    function _leaves3(uint256 scale) internal pure returns (SettlementMerkle.Leaf[] memory l) {
        l = new SettlementMerkle.Leaf[](3);
        l[0] = SettlementMerkle.Leaf(address(0xA1), 100e18 * scale, 10 * scale);
        l[1] = SettlementMerkle.Leaf(address(0xB2), 50e18 * scale, 5 * scale);
        l[2] = SettlementMerkle.Leaf(address(0xC3), 25e18 * scale, 1 * scale);
    }

    function _sum(SettlementMerkle.Leaf[] memory l) internal pure returns (uint256 amount, uint256 merit) {
        for (uint256 i; i < l.length; ++i) {
            amount += l[i].cumulativeAmount;
            merit += l[i].merit;
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {console} from "forge-std/console.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SettlementFixture} from "../utils/SettlementFixture.sol";
import {SettlementMerkle} from "../utils/SettlementMerkle.sol";
import {SettlementTree1M} from "./SettlementTree1M.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IOperatorStaking} from "../../src/interfaces/IOperatorStaking.sol";
import {StakingRegistry} from "../../src/staking/StakingRegistry.sol";
import {OperatorRole} from "../../src/types/Roles.sol";

/// @notice FOR GAS COMPARISON ONLY: a minimal re-implementation of the claim path of Uniswap's merkle-distributor
/// (github.com/Uniswap/merkle-distributor, MerkleDistributor.sol): one-shot claims tracked in a bitmap, leaf
/// `keccak256(abi.encodePacked(index, account, amount))`, OpenZeppelin `MerkleProof.verify`, token transfer.
contract UniswapStyleMerkleDistributor {
    address public immutable token;
    bytes32 public immutable merkleRoot;
    mapping(uint256 => uint256) private claimedBitMap;

    event Claimed(uint256 index, address account, uint256 amount);

    error AlreadyClaimed();
    error InvalidProof();

    constructor(address token_, bytes32 merkleRoot_) {
        token = token_;
        merkleRoot = merkleRoot_;
    }

    function isClaimed(uint256 index) public view returns (bool) {
        uint256 word = claimedBitMap[index / 256];
        uint256 mask = (1 << (index % 256));
        return word & mask == mask;
    }

    function _setClaimed(uint256 index) private {
        claimedBitMap[index / 256] = claimedBitMap[index / 256] | (1 << (index % 256));
    }

    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata merkleProof) external {
        if (isClaimed(index)) revert AlreadyClaimed();
        bytes32 node = keccak256(abi.encodePacked(index, account, amount));
        if (!MerkleProof.verify(merkleProof, merkleRoot, node)) revert InvalidProof();
        _setClaimed(index);
        require(IERC20(token).transfer(account, amount), "transfer failed");
        emit Claimed(index, account, amount);
    }
}

/// @notice Gas benchmarks of issue 4 (excluded from `npm test`). Run with `--isolate` (see bench/settlement.ts):
/// each measured call runs as its own transaction, and this contract prints its EXECUTION gas (total minus the 21,000
/// intrinsic and the calldata gas) and its calldata bytes as `BENCH <label> <gas> <bytes>` lines.
contract SettlementBenchTest is SettlementFixture {
    uint256 internal constant INTRINSIC = 21_000;

    /* MEASUREMENT */

    function _calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i; i < data.length; ++i) {
            g += data[i] == 0 ? 4 : 16;
        }
    }

    /// @dev Calls `target` with `data` as `from` and returns the call's execution gas (isolated transaction).
    function _measure(string memory label, address from, address target, bytes memory data)
        internal
        returns (uint256 exec)
    {
        vm.prank(from);
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        Vm.Gas memory g = vm.lastCallGas();
        uint256 cd = _calldataGas(data);
        // Without --isolate the figure is already execution-only (and warm): report it as is.
        exec = g.gasTotalUsed > INTRINSIC + cd ? g.gasTotalUsed - INTRINSIC - cd : g.gasTotalUsed;
        console.log(string.concat("BENCH ", label), exec, data.length);
    }

    /* PAYMENT CHANNELS */

    function _signChain(uint256 channelId, uint256 n, uint256 price) internal view returns (bytes memory sig) {
        // The payer signs one cumulative voucher per inference; only the last one is redeemed.
        for (uint256 i = 1; i <= n; ++i) {
            sig = _voucher(payerKey, channelId, i * price);
        }
    }

    function test_bench_depositWithPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        _open(1e18); // the payer's and the contract's balances exist, as in steady use
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(payerKey, address(channels), 100e18, deadline);
        _measure(
            "openWithPermit",
            payer,
            address(channels),
            abi.encodeCall(IPaymentChannels.openWithPermit, (node, MODEL_ID, address(0), 100e18, deadline, v, r, s))
        );
        (v, r, s) = _permitSig(payerKey, address(channels), 50e18, deadline);
        _measure(
            "topUpWithPermit",
            payer,
            address(channels),
            abi.encodeCall(IPaymentChannels.topUpWithPermit, (2, 50e18, deadline, v, r, s))
        );
    }

    function test_bench_redeem() public {
        uint256 price = 1e15;
        uint256 first = _open(100e18);
        // First redemption ever: every credit slot goes from zero to non-zero.
        bytes memory sig = _voucher(payerKey, first, 10 * price);
        _measure(
            "redeem (first ever: credits zero->nonzero)",
            node,
            address(channels),
            abi.encodeCall(IPaymentChannels.redeem, (first, 10 * price, sig))
        );
        // Steady state: later redemptions on this and on other channels.
        sig = _voucher(payerKey, first, 20 * price);
        _measure(
            "redeem (same channel again)",
            node,
            address(channels),
            abi.encodeCall(IPaymentChannels.redeem, (first, 20 * price, sig))
        );
        uint256[3] memory ns = [uint256(1), 100, 10_000];
        for (uint256 k; k < 3; ++k) {
            uint256 id = _open(100e18);
            sig = _signChain(id, ns[k], price);
            _measure(
                string.concat("redeem settling ", vm.toString(ns[k]), " inferences"),
                node,
                address(channels),
                abi.encodeCall(IPaymentChannels.redeem, (id, ns[k] * price, sig))
            );
        }
        _measure(
            "flushNodeReward (to the staking registry)",
            address(this),
            address(channels),
            abi.encodeCall(IPaymentChannels.flushNodeReward, (node))
        );
        _measure(
            "flushPool (to the RewardsDistributor)",
            address(this),
            address(channels),
            abi.encodeCall(IPaymentChannels.flushPool, (MODEL_ID))
        );
        // After every part was paid out (credits withdrawn, pools flushed), redemptions stay in the steady state.
        vm.prank(treasury);
        channels.withdrawCredit(treasury);
        vm.prank(modelOwner);
        channels.withdrawCredit(modelOwner);
        uint256 again = _open(100e18);
        sig = _voucher(payerKey, again, 5 * price);
        _measure(
            "redeem (after every credit was paid out)",
            node,
            address(channels),
            abi.encodeCall(IPaymentChannels.redeem, (again, 5 * price, sig))
        );
        // Naive baseline: one OPEN payment (a plain transfer, no split) per inference.
        _measure("naive transfer per inference", payer, address(token), abi.encodeCall(IERC20.transfer, (node, price)));
        _measure("naive transfer per inference", payer, address(token), abi.encodeCall(IERC20.transfer, (node, price)));
    }

    /// @dev The same calls with the real StakingRegistry (issue 5) behind the channels.
    function test_bench_realStakingRegistry() public {
        StakingRegistry real = new StakingRegistry(token, governance, treasury);
        channels = _deployChannels(IModelTerms(address(models)), IOperatorStaking(address(real)));
        vm.prank(governance);
        real.setRewardSource(address(channels), true);
        vm.prank(treasury);
        token.transfer(node, 10_000e18);
        vm.startPrank(node);
        real.register(OperatorRole.Node, "ipfs://bafknode");
        token.approve(address(real), 10_000e18);
        real.stake(10_000e18);
        vm.stopPrank();
        uint256 price = 1e15;
        uint256 id = _open(100e18);
        channels.redeem(id, 10 * price, _voucher(payerKey, id, 10 * price));
        bytes memory sig = _voucher(payerKey, id, 20 * price);
        _measure(
            "redeem (real StakingRegistry)",
            node,
            address(channels),
            abi.encodeCall(IPaymentChannels.redeem, (id, 20 * price, sig))
        );
        _measure(
            "flushNodeReward (real StakingRegistry notifyReward)",
            address(this),
            address(channels),
            abi.encodeCall(IPaymentChannels.flushNodeReward, (node))
        );
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(payerKey, address(channels), 100e18, deadline);
        _measure(
            "openWithPermit (real StakingRegistry)",
            payer,
            address(channels),
            abi.encodeCall(IPaymentChannels.openWithPermit, (node, MODEL_ID, address(0), 100e18, deadline, v, r, s))
        );
    }

    /* ROOTS */

    function test_bench_postRootAndDispute() public {
        _fund(SettlementTree1M.TOTAL2 + 1_000e18);
        _bond(10 * uint256(POSTER_BOND));
        // A first root so that the bookkeeping is in its steady state.
        _postFinal(1, SettlementTree1M.ROOT1, SettlementTree1M.TOTAL1, SettlementTree1M.MERIT1);
        vm.warp(block.timestamp + 1 days);
        uint256 epochEnd = block.timestamp - 1;
        string memory cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
        _measure(
            "postRoot (1,000,000-leaf epoch)",
            poster,
            address(distributor),
            abi.encodeCall(
                IRewardsDistributor.postRoot,
                (2, epochEnd, SettlementTree1M.ROOT2, SettlementTree1M.TOTAL2, SettlementTree1M.MERIT2, cid)
            )
        );
        SettlementMerkle.Leaf[] memory small = _leaves3(1);
        (uint256 t, uint256 m) = _sum(small);
        _measure(
            "postRoot (3-leaf epoch)",
            poster,
            address(distributor),
            abi.encodeCall(
                IRewardsDistributor.postRoot,
                (3, epochEnd, SettlementMerkle.root(small), SettlementTree1M.TOTAL2 + t, m, cid)
            )
        );
        vm.startPrank(disputer);
        token.approve(address(distributor), DISPUTE_BOND);
        vm.stopPrank();
        _measure(
            "dispute",
            disputer,
            address(distributor),
            abi.encodeCall(IRewardsDistributor.dispute, (3, "bafkreievidence"))
        );
        vm.warp(block.timestamp + WINDOW);
        _measure("finalize", address(this), address(distributor), abi.encodeCall(IRewardsDistributor.finalize, (2)));
        _measure(
            "resolveDispute (poster loses)",
            governance,
            address(distributor),
            abi.encodeCall(IRewardsDistributor.resolveDispute, (3, false))
        );
    }

    /* CLAIMS FROM A 1,000,000-LEAF TREE */

    function _claimData(uint256 epoch, uint256 k) internal pure returns (bytes memory) {
        (address[11] memory a, uint256[11] memory amt, uint256[11] memory merit) =
            epoch == 1 ? SettlementTree1M.epoch1Leaves() : SettlementTree1M.epoch2Leaves();
        bytes32[] memory p = epoch == 1 ? SettlementTree1M.epoch1Proof(k) : SettlementTree1M.epoch2Proof(k);
        return abi.encodeCall(IRewardsDistributor.claim, (a[k], amt[k], merit[k], p));
    }

    function _batchData(uint256 epoch) internal pure returns (bytes memory) {
        (address[11] memory a, uint256[11] memory amt, uint256[11] memory merit) =
            epoch == 1 ? SettlementTree1M.epoch1Leaves() : SettlementTree1M.epoch2Leaves();
        IRewardsDistributor.Claim[] memory cs = new IRewardsDistributor.Claim[](10);
        for (uint256 k = 1; k <= 10; ++k) {
            bytes32[] memory p = epoch == 1 ? SettlementTree1M.epoch1Proof(k) : SettlementTree1M.epoch2Proof(k);
            cs[k - 1] = IRewardsDistributor.Claim(a[k], amt[k], merit[k], p);
        }
        return abi.encodeCall(IRewardsDistributor.claimMany, (cs));
    }

    function test_bench_claims1M() public {
        _fund(SettlementTree1M.TOTAL2);
        _bond(10 * uint256(POSTER_BOND));
        _postFinal(1, SettlementTree1M.ROOT1, SettlementTree1M.TOTAL1, SettlementTree1M.MERIT1);
        // Another account claimed before: the distributor's own bookkeeping is warm-but-nonzero, as in steady use.
        (address[11] memory a,,) = SettlementTree1M.epoch1Leaves();
        vm.prank(treasury);
        token.transfer(a[0], 1); // not needed for the claim; keeps account 0's balance non-zero like a repeat claimer
        _measure("claim first (1M-leaf tree, depth-20 proof)", address(this), address(distributor), _claimData(1, 0));
        _measure("claimMany 10 first (1M-leaf tree)", address(this), address(distributor), _batchData(1));
        vm.warp(block.timestamp + 1 days);
        _postFinal(2, SettlementTree1M.ROOT2, SettlementTree1M.TOTAL2, SettlementTree1M.MERIT2);
        _measure("claim repeat (1M-leaf tree, depth-20 proof)", address(this), address(distributor), _claimData(2, 0));
        _measure("claimMany 10 repeat (1M-leaf tree)", address(this), address(distributor), _batchData(2));
    }

    function test_bench_claimFirstZeroBalance() public {
        _fund(SettlementTree1M.TOTAL2);
        _bond(10 * uint256(POSTER_BOND));
        _postFinal(1, SettlementTree1M.ROOT1, SettlementTree1M.TOTAL1, SettlementTree1M.MERIT1);
        // Warm the distributor's totals with one claim, then measure an account holding no OPEN yet.
        distributor.claim(_leafAccount(1, 1), _leafAmount(1, 1), _leafMerit(1, 1), SettlementTree1M.epoch1Proof(1));
        _measure(
            "claim first, recipient holds no OPEN (1M-leaf tree)", address(this), address(distributor), _claimData(1, 0)
        );
    }

    function _leafAccount(uint256 epoch, uint256 k) internal pure returns (address) {
        (address[11] memory a,,) = epoch == 1 ? SettlementTree1M.epoch1Leaves() : SettlementTree1M.epoch2Leaves();
        return a[k];
    }

    function _leafAmount(uint256 epoch, uint256 k) internal pure returns (uint256) {
        (, uint256[11] memory amt,) = epoch == 1 ? SettlementTree1M.epoch1Leaves() : SettlementTree1M.epoch2Leaves();
        return amt[k];
    }

    function _leafMerit(uint256 epoch, uint256 k) internal pure returns (uint256) {
        (,, uint256[11] memory m) = epoch == 1 ? SettlementTree1M.epoch1Leaves() : SettlementTree1M.epoch2Leaves();
        return m[k];
    }

    /* UNISWAP MERKLE-DISTRIBUTOR SHAPE, SAME RUN */

    function test_bench_uniswapStyleClaim() public {
        // A valid depth-20 proof (a 2^20-leaf tree shape) for leaves i and i^1, built here with sorted-pair hashing.
        uint256 index = 524_288;
        address acct = address(0xC1A1);
        address acct2 = address(0xC1A2);
        uint256 amount = 1e18;
        bytes32 leaf = keccak256(abi.encodePacked(index, acct, amount));
        bytes32 leaf2 = keccak256(abi.encodePacked(index + 1, acct2, amount));
        bytes32[] memory proof = new bytes32[](20);
        bytes32[] memory proof2 = new bytes32[](20);
        proof[0] = leaf2;
        proof2[0] = leaf;
        bytes32 node_ = SettlementMerkle.hashPair(leaf, leaf2);
        for (uint256 d = 1; d < 20; ++d) {
            proof[d] = keccak256(abi.encode("sibling", d));
            proof2[d] = proof[d];
            node_ = SettlementMerkle.hashPair(node_, proof[d]);
        }
        UniswapStyleMerkleDistributor u = new UniswapStyleMerkleDistributor(address(token), node_);
        vm.startPrank(treasury);
        token.transfer(address(u), 10e18);
        token.transfer(acct, 1);
        vm.stopPrank();
        _measure(
            "uniswap-style claim (first in bitmap word)",
            address(this),
            address(u),
            abi.encodeCall(UniswapStyleMerkleDistributor.claim, (index, acct, amount, proof))
        );
        _measure(
            "uniswap-style claim (bitmap word in use, recipient holds no OPEN)",
            address(this),
            address(u),
            abi.encodeCall(UniswapStyleMerkleDistributor.claim, (index + 1, acct2, amount, proof2))
        );
    }
}

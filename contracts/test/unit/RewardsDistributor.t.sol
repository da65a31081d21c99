// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SettlementFixture} from "../utils/SettlementFixture.sol";
import {SettlementMerkle} from "../utils/SettlementMerkle.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";

contract RewardsDistributorTest is SettlementFixture {
    using SettlementMerkle for SettlementMerkle.Leaf[];

    uint256 internal aliceKey = 0xA11CE5;
    address internal alice = vm.addr(aliceKey);

    function setUp() public override {
        super.setUp();
        _fund(10_000e18);
        _bond(10 * uint256(POSTER_BOND));
    }

    function _leaves(uint256 scale) internal view returns (SettlementMerkle.Leaf[] memory l) {
        l = _leaves3(scale);
        l[0].account = alice;
    }

    function _finalTree(uint256 epoch, uint256 scale) internal returns (SettlementMerkle.Leaf[] memory l) {
        l = _leaves(scale);
        (uint256 total, uint256 merit) = _sum(l);
        _postFinal(epoch, l.root(), total, merit);
    }

    /* FUNDING AND BONDS */

    function test_fundPool_recordsFunding() public {
        vm.startPrank(treasury);
        token.approve(address(distributor), 5e18);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.PoolFunded(7, treasury, 5e18, 10_005e18);
        distributor.fundPool(7, 5e18);
        vm.expectRevert(IRewardsDistributor.RewardsZeroAmount.selector);
        distributor.fundPool(7, 0);
        vm.stopPrank();
    }

    function test_withdrawBond_onlyFreeBond() public {
        _post(1, keccak256("r"), 1e18, 1);
        (,, uint256 free, uint256 locked) = distributor.posterInfo(poster);
        assertEq(locked, POSTER_BOND);
        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsBondTooLow.selector, poster, free, free + 1));
        distributor.withdrawBond(free + 1, poster);
        vm.prank(poster);
        distributor.withdrawBond(free, poster);
        (,, free,) = distributor.posterInfo(poster);
        assertEq(free, 0);
    }

    /* POST */

    function test_postRoot_storesRecordAndLocksBond() public {
        uint256 epochEnd = block.timestamp - 10;
        vm.prank(poster);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.RootPosted(
            1, 3, poster, keccak256("r"), 7e18, 9, epochEnd, block.timestamp + WINDOW, POSTER_BOND, "bafkcid"
        );
        uint256 index = distributor.postRoot(3, epochEnd, keccak256("r"), 7e18, 9, "bafkcid");
        IRewardsDistributor.RootRecord memory r = distributor.rootRecord(index);
        assertEq(r.root, keccak256("r"));
        assertEq(r.total, 7e18);
        assertEq(r.totalMerit, 9);
        assertEq(r.epoch, 3);
        assertEq(r.epochEnd, epochEnd);
        assertEq(r.finalAt, block.timestamp + WINDOW);
        assertEq(r.bond, POSTER_BOND);
        assertEq(uint8(distributor.rootStatus(index)), uint8(IRewardsDistributor.RootStatus.Pending));
    }

    function test_postRoot_revertsOnBadInput() public {
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNotPoster.selector, stranger));
        distributor.postRoot(1, block.timestamp, keccak256("r"), 1, 1, "");

        vm.startPrank(poster);
        vm.expectRevert(IRewardsDistributor.RewardsZeroRoot.selector);
        distributor.postRoot(1, block.timestamp, bytes32(0), 1, 1, "");
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsTotalExceedsFunding.selector, 10_001e18, 10_000e18)
        );
        distributor.postRoot(1, block.timestamp, keccak256("r"), 10_001e18, 1, "");
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsBadEpoch.selector, 1, block.timestamp + 1, 0, 0)
        );
        distributor.postRoot(1, block.timestamp + 1, keccak256("r"), 1, 1, "");
        distributor.postRoot(5, block.timestamp - 5, keccak256("r"), 1, 1, "");
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsBadEpoch.selector, 4, block.timestamp, 5, block.timestamp - 5
            )
        );
        distributor.postRoot(4, block.timestamp, keccak256("r"), 1, 1, "");
        vm.stopPrank();
        (uint256 count,) = distributor.rootCounts();
        assertEq(count, 1);
    }

    function test_postRoot_revertsWithoutBondOrWhenPaused() public {
        address keeper2 = makeAddr("keeper2");
        vm.prank(governance);
        distributor.setPoster(keeper2, true);
        vm.prank(keeper2);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsInsufficientBond.selector, keeper2, 0, POSTER_BOND)
        );
        distributor.postRoot(1, block.timestamp, keccak256("r"), 1, 1, "");
        vm.prank(governance);
        distributor.pause();
        vm.prank(poster);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        distributor.postRoot(1, block.timestamp, keccak256("r"), 1, 1, "");
    }

    function test_postRoot_totalNeverBelowFinal() public {
        _postFinal(1, keccak256("a"), 100e18, 1);
        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsTotalDecreased.selector, 99e18, 100e18));
        distributor.postRoot(2, block.timestamp, keccak256("b"), 99e18, 1, "");
    }

    /* FINALIZE */

    function test_finalize_afterWindowOnly() public {
        uint256 index = _post(1, keccak256("a"), 1e18, 1);
        uint256 finalAt = block.timestamp + WINDOW;
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsWindowOpen.selector, index, finalAt));
        distributor.finalize(index);
        vm.warp(finalAt);
        distributor.finalize(index);
        assertEq(distributor.finalRoot(), keccak256("a"));
        assertEq(uint8(distributor.rootStatus(index)), uint8(IRewardsDistributor.RootStatus.Final));
        (,, uint256 free, uint256 locked) = distributor.posterInfo(poster);
        assertEq(locked, 0);
        assertEq(free, 10 * uint256(POSTER_BOND));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsRootNotPending.selector, index, IRewardsDistributor.RootStatus.Final
            )
        );
        distributor.finalize(index);
    }

    function test_finalize_supersedesEarlierPendingRoots() public {
        uint256 a = _post(1, keccak256("a"), 1e18, 1);
        vm.warp(block.timestamp + 1 hours);
        uint256 b = _post(2, keccak256("b"), 2e18, 2);
        vm.warp(block.timestamp + WINDOW);
        distributor.finalize(b);
        assertEq(uint8(distributor.rootStatus(a)), uint8(IRewardsDistributor.RootStatus.Superseded));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsRootNotPending.selector, a, IRewardsDistributor.RootStatus.Superseded
            )
        );
        distributor.finalize(a);
        // The superseded root's bond can be released once.
        distributor.releaseBond(a);
        (,,, uint256 locked) = distributor.posterInfo(poster);
        assertEq(locked, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsBondNotReleasable.selector, a, IRewardsDistributor.RootStatus.Superseded
            )
        );
        distributor.releaseBond(a);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsBondNotReleasable.selector, b, IRewardsDistributor.RootStatus.Final
            )
        );
        distributor.releaseBond(b);
    }

    /// @notice The recent-first probe (latest final root in one slot) and the history search agree at every
    /// timepoint, across several finalizations at random gaps.
    function testFuzz_finalRootAt_recentFirstMatchesHistory(uint256 n, uint256 seed) public {
        n = bound(n, 1, 6);
        uint256[] memory at = new uint256[](n);
        bytes32[] memory rootOf = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            vm.warp(block.timestamp + 1 + uint256(keccak256(abi.encode(seed, i))) % 10 days);
            rootOf[i] = keccak256(abi.encode("root", i));
            _postFinal(i + 1, rootOf[i], 1e18, 100 + i);
            at[i] = block.timestamp;
        }
        vm.warp(block.timestamp + 1);
        for (uint256 i; i < n; ++i) {
            (bytes32 r, uint64 end, uint256 merit) = distributor.finalRootAt(at[i]);
            assertEq(r, rootOf[i], "at its finalization");
            assertEq(merit, 100 + i);
            assertEq(end, distributor.rootRecord(i + 1).epochEnd);
            (r,, merit) = distributor.finalRootAt(at[i] - 1);
            assertEq(r, i == 0 ? bytes32(0) : rootOf[i - 1], "just before it");
            assertEq(merit, i == 0 ? 0 : 100 + i - 1);
        }
        (bytes32 latest,,) = distributor.finalRootAt(block.timestamp);
        assertEq(latest, rootOf[n - 1]);
    }

    function test_finalRootAt_twoFinalizationsInOneBlock() public {
        _postFinal(1, keccak256("a"), 1e18, 11);
        uint256 t1 = block.timestamp;
        vm.warp(t1 + 1);
        uint256 i2 = _post(2, keccak256("b"), 1e18, 22);
        uint256 i3 = _post(3, keccak256("c"), 1e18, 33);
        vm.warp(block.timestamp + WINDOW);
        distributor.finalize(i2);
        distributor.finalize(i3);
        (bytes32 r,, uint256 merit) = distributor.finalRootAt(block.timestamp);
        assertEq(r, keccak256("c"));
        assertEq(merit, 33);
        (r,, merit) = distributor.finalRootAt(block.timestamp - 1);
        assertEq(r, keccak256("a"));
        assertEq(merit, 11);
    }

    function test_finalRootAt_keepsHistory() public {
        uint256 t0 = block.timestamp;
        (bytes32 r0,,) = distributor.finalRootAt(t0);
        assertEq(r0, bytes32(0));
        _postFinal(1, keccak256("a"), 1e18, 11);
        uint256 t1 = block.timestamp;
        uint256 end1 = distributor.rootRecord(1).epochEnd;
        vm.warp(t1 + 100);
        _postFinal(2, keccak256("b"), 2e18, 22);
        uint256 t2 = block.timestamp;
        vm.warp(t2 + 50);

        (bytes32 r, uint64 end, uint256 merit) = distributor.finalRootAt(t1 - 1);
        assertEq(r, bytes32(0));
        (r, end, merit) = distributor.finalRootAt(t1);
        assertEq(r, keccak256("a"));
        assertEq(end, end1);
        assertEq(merit, 11);
        (r,, merit) = distributor.finalRootAt(t2 - 1);
        assertEq(r, keccak256("a"));
        (r,, merit) = distributor.finalRootAt(t2 + 10);
        assertEq(r, keccak256("b"));
        assertEq(merit, 22);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsFutureLookup.selector, block.timestamp + 1, block.timestamp
            )
        );
        distributor.finalRootAt(block.timestamp + 1);
    }

    /* DISPUTES */

    function _dispute(uint256 index) internal {
        vm.startPrank(disputer);
        token.approve(address(distributor), DISPUTE_BOND);
        distributor.dispute(index, "bafkevidence");
        vm.stopPrank();
    }

    function test_dispute_freezesRootUntilResolved() public {
        uint256 index = _post(1, keccak256("bad"), 1e18, 1);
        vm.startPrank(disputer);
        token.approve(address(distributor), DISPUTE_BOND);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.RootDisputed(index, disputer, DISPUTE_BOND, "bafkevidence");
        distributor.dispute(index, "bafkevidence");
        vm.stopPrank();
        (,, uint256 bonds,) = distributor.totals();
        assertEq(bonds, 10 * uint256(POSTER_BOND) + DISPUTE_BOND);
        vm.warp(block.timestamp + WINDOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsRootNotPending.selector, index, IRewardsDistributor.RootStatus.Disputed
            )
        );
        distributor.finalize(index);
        assertEq(distributor.finalRoot(), bytes32(0));
    }

    function test_dispute_revertsAfterWindow() public {
        uint256 index = _post(1, keccak256("a"), 1e18, 1);
        uint256 finalAt = block.timestamp + WINDOW;
        vm.warp(finalAt);
        vm.startPrank(disputer);
        token.approve(address(distributor), DISPUTE_BOND);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsWindowClosed.selector, index, finalAt));
        distributor.dispute(index, "late");
        vm.stopPrank();
    }

    function test_resolveDispute_posterLosesBond() public {
        uint256 index = _post(1, keccak256("bad"), 1e18, 1);
        _dispute(index);
        uint256 disputerBefore = token.balanceOf(disputer);
        uint256 treasuryBefore = token.balanceOf(treasury);
        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNotResolver.selector, poster));
        distributor.resolveDispute(index, false);
        vm.prank(governance);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.DisputeResolved(index, false, disputer, POSTER_BOND, POSTER_BOND / 2, POSTER_BOND / 2);
        distributor.resolveDispute(index, false);
        assertEq(uint8(distributor.rootStatus(index)), uint8(IRewardsDistributor.RootStatus.Rejected));
        assertEq(token.balanceOf(disputer) - disputerBefore, DISPUTE_BOND + POSTER_BOND / 2);
        assertEq(token.balanceOf(treasury) - treasuryBefore, POSTER_BOND / 2);
        (,, uint256 free, uint256 locked) = distributor.posterInfo(poster);
        assertEq(locked, 0);
        assertEq(free, 9 * uint256(POSTER_BOND));
        // The same epoch can be posted again, corrected.
        _postFinal(1, keccak256("good"), 1e18, 1);
        assertEq(distributor.finalRoot(), keccak256("good"));
    }

    function test_resolveDispute_posterWinsAndRootIsFinal() public {
        uint256 index = _post(1, keccak256("a"), 1e18, 1);
        _dispute(index);
        address council = makeAddr("council");
        vm.prank(governance);
        distributor.setResolver(council);
        uint256 treasuryBefore = token.balanceOf(treasury);
        vm.prank(council);
        distributor.resolveDispute(index, true);
        assertEq(distributor.finalRoot(), keccak256("a"));
        assertEq(uint8(distributor.rootStatus(index)), uint8(IRewardsDistributor.RootStatus.Final));
        (,, uint256 free, uint256 locked) = distributor.posterInfo(poster);
        assertEq(locked, 0);
        assertEq(free, 10 * uint256(POSTER_BOND) + DISPUTE_BOND / 2);
        assertEq(token.balanceOf(treasury) - treasuryBefore, DISPUTE_BOND / 2);
        vm.prank(council);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsRootNotDisputed.selector, index));
        distributor.resolveDispute(index, true);
    }

    function test_resolveDispute_posterWinsAfterLaterRootFinal() public {
        uint256 a = _post(1, keccak256("a"), 1e18, 1);
        _dispute(a);
        vm.warp(block.timestamp + 1);
        uint256 b = _postFinal(2, keccak256("b"), 2e18, 1);
        vm.prank(governance);
        distributor.resolveDispute(a, true);
        assertEq(uint8(distributor.rootStatus(a)), uint8(IRewardsDistributor.RootStatus.Superseded));
        assertEq(distributor.finalRoot(), keccak256("b"));
        (, uint256 finalIndex) = distributor.rootCounts();
        assertEq(finalIndex, b);
        (,,, uint256 locked) = distributor.posterInfo(poster);
        assertEq(locked, 0);
    }

    /* CLAIMS */

    function test_claim_paysCumulativeDifference() public {
        SettlementMerkle.Leaf[] memory l = _finalTree(1, 1);
        bytes32[] memory p = l.proof(0);
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.Claimed(alice, alice, 100e18, 100e18);
        assertEq(distributor.claim(alice, 100e18, 10, p), 100e18);
        assertEq(token.balanceOf(alice), 100e18);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsNothingToClaim.selector, alice, 100e18, 100e18)
        );
        distributor.claim(alice, 100e18, 10, p);
        // Next epoch: cumulative amounts doubled; only the difference is paid.
        vm.warp(block.timestamp + 1);
        l = _finalTree(2, 2);
        assertEq(distributor.claim(alice, 200e18, 20, l.proof(0)), 100e18);
        assertEq(token.balanceOf(alice), 200e18);
        assertEq(distributor.claimed(alice), 200e18);
    }

    function test_claim_revertsOnBadProofOrNoRoot() public {
        SettlementMerkle.Leaf[] memory l = _leaves(1);
        vm.expectRevert(IRewardsDistributor.RewardsNoFinalRoot.selector);
        distributor.claim(alice, 100e18, 10, l.proof(0));
        _finalTree(1, 1);
        bytes32[] memory p = l.proof(0);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsInvalidProof.selector, alice, 101e18, 10));
        distributor.claim(alice, 101e18, 10, p);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsInvalidProof.selector, alice, 100e18, 11));
        distributor.claim(alice, 100e18, 11, p);
        p[0] = bytes32(uint256(p[0]) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsInvalidProof.selector, alice, 100e18, 10));
        distributor.claim(alice, 100e18, 10, p);
        assertEq(distributor.claimed(alice), 0);
    }

    function test_claim_pendingRootIsNotClaimable() public {
        SettlementMerkle.Leaf[] memory l = _leaves(1);
        (uint256 total, uint256 merit) = _sum(l);
        _post(1, l.root(), total, merit);
        bytes32[] memory p = l.proof(0);
        vm.expectRevert(IRewardsDistributor.RewardsNoFinalRoot.selector);
        distributor.claim(alice, 100e18, 10, p);
    }

    function test_claim_neverPaysBondsWhenLeavesExceedTotal() public {
        // A (wrongly undisputed) root whose leaves sum above what was funded cannot dip into bonds.
        SettlementMerkle.Leaf[] memory l = new SettlementMerkle.Leaf[](2);
        l[0] = SettlementMerkle.Leaf(alice, 8_000e18, 1);
        l[1] = SettlementMerkle.Leaf(address(0xB2), 8_000e18, 1);
        _postFinal(1, l.root(), 10_000e18, 2);
        distributor.claim(alice, 8_000e18, 1, l.proof(0));
        bytes32[] memory p = l.proof(1);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsUnderfunded.selector, 2_000e18, 8_000e18));
        distributor.claim(address(0xB2), 8_000e18, 1, p);
    }

    function test_claim_worksWhilePaused() public {
        SettlementMerkle.Leaf[] memory l = _finalTree(1, 1);
        vm.prank(governance);
        distributor.pause();
        assertEq(distributor.claim(alice, 100e18, 10, l.proof(0)), 100e18);
    }

    function test_claimMany_claimsForSeveralAccounts() public {
        SettlementMerkle.Leaf[] memory l = _finalTree(1, 1);
        IRewardsDistributor.Claim[] memory cs = new IRewardsDistributor.Claim[](3);
        for (uint256 i; i < 3; ++i) {
            cs[i] = IRewardsDistributor.Claim(l[i].account, l[i].cumulativeAmount, l[i].merit, l.proof(i));
        }
        assertEq(distributor.claimMany(cs), 175e18);
        assertEq(token.balanceOf(address(0xB2)), 50e18);
        assertEq(token.balanceOf(address(0xC3)), 25e18);
        (,,, uint256 available) = distributor.totals();
        assertEq(available, 10_000e18 - 175e18);
        vm.expectRevert(IRewardsDistributor.RewardsEmptyBatch.selector);
        distributor.claimMany(new IRewardsDistributor.Claim[](0));
    }

    function _claimToSig(uint256 key, address account, address recipient, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, distributor.claimToDigest(account, recipient, nonce, deadline));
        return abi.encodePacked(r, s, v);
    }

    function test_claimTo_paysRecipientOnce() public {
        SettlementMerkle.Leaf[] memory l = _finalTree(1, 1);
        address cold = makeAddr("cold");
        uint256 deadline = block.timestamp + 10 days;
        bytes memory sig = _claimToSig(aliceKey, alice, cold, 0, deadline);
        bytes32[] memory p = l.proof(0);
        // Someone relays it: the recipient, not the relayer, is paid.
        vm.expectEmit(address(distributor));
        emit IRewardsDistributor.Claimed(alice, cold, 100e18, 100e18);
        distributor.claimTo(alice, cold, 100e18, 10, p, deadline, sig);
        assertEq(token.balanceOf(cold), 100e18);
        assertEq(distributor.nonces(alice), 1);
        // Replay (nonce used) is refused even once more is claimable.
        vm.warp(block.timestamp + 1);
        l = _finalTree(2, 2);
        p = l.proof(0);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsInvalidSignature.selector, alice));
        distributor.claimTo(alice, cold, 200e18, 20, p, deadline, sig);
    }

    function _expectClaimToRefused(address recipient, uint256 deadline, bytes memory sig) internal {
        bytes32[] memory p = _leaves(1).proof(0);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsInvalidSignature.selector, alice));
        distributor.claimTo(alice, recipient, 100e18, 10, p, deadline, sig);
        assertEq(distributor.claimed(alice), 0);
    }

    function test_claimTo_refusesAnotherChain() public {
        _finalTree(1, 1);
        address cold = makeAddr("cold");
        uint256 deadline = block.timestamp + 1 hours;
        uint256 chainId = block.chainid;
        vm.chainId(chainId + 1);
        bytes memory foreignChain = _claimToSig(aliceKey, alice, cold, 0, deadline);
        vm.chainId(chainId);
        _expectClaimToRefused(cold, deadline, foreignChain);
    }

    function test_claimTo_refusesAnotherContract() public {
        _finalTree(1, 1);
        address cold = makeAddr("cold");
        uint256 deadline = block.timestamp + 1 hours;
        RewardsDistributor other = _deployDistributor();
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, other.claimToDigest(alice, cold, 0, deadline));
        _expectClaimToRefused(cold, deadline, abi.encodePacked(r, s, v));
    }

    function test_claimTo_refusesAnotherRecipientOrSigner() public {
        _finalTree(1, 1);
        address cold = makeAddr("cold");
        uint256 deadline = block.timestamp + 1 hours;
        _expectClaimToRefused(address(this), deadline, _claimToSig(aliceKey, alice, cold, 0, deadline));
        _expectClaimToRefused(cold, deadline, _claimToSig(0xBAD, alice, cold, 0, deadline));
    }

    function test_claimTo_refusesAfterDeadline() public {
        SettlementMerkle.Leaf[] memory l = _finalTree(1, 1);
        address cold = makeAddr("cold");
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(aliceKey, alice, cold, 0, deadline);
        bytes32[] memory p = l.proof(0);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsExpiredSignature.selector, deadline));
        distributor.claimTo(alice, cold, 100e18, 10, p, deadline, sig);
        assertEq(distributor.claimed(alice), 0);
    }

    /* SWEEP */

    function test_sweep_onlyOldEpochsAfterNotice() public {
        SettlementMerkle.Leaf[] memory l = _finalTree(1, 1);
        distributor.claim(alice, 100e18, 10, l.proof(0));
        vm.prank(governance);
        vm.expectRevert();
        distributor.announceSweep(1);
        vm.warp(block.timestamp + 365 days);
        vm.prank(governance);
        distributor.announceSweep(1);
        address[] memory accts = new address[](2);
        uint256[] memory amts = new uint256[](2);
        uint256[] memory merits = new uint256[](2);
        bytes32[][] memory proofs = new bytes32[][](2);
        for (uint256 i; i < 2; ++i) {
            accts[i] = l[i].account;
            amts[i] = l[i].cumulativeAmount;
            merits[i] = l[i].merit;
            proofs[i] = l.proof(i);
        }
        vm.prank(governance);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsSweepNotAnnounced.selector, 1, block.timestamp + 30 days)
        );
        distributor.sweep(1, accts, amts, merits, proofs);
        vm.warp(block.timestamp + 30 days);
        uint256 before = token.balanceOf(treasury);
        vm.prank(governance);
        // alice already claimed everything: only 0xB2's 50 is swept.
        assertEq(distributor.sweep(1, accts, amts, merits, proofs), 50e18);
        assertEq(token.balanceOf(treasury) - before, 50e18);
        assertEq(distributor.claimed(address(0xB2)), 50e18);
        bytes32[] memory p1 = l.proof(1);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsNothingToClaim.selector, address(0xB2), 50e18, 50e18)
        );
        distributor.claim(address(0xB2), 50e18, 5, p1);
        (, uint256 swept,,) = distributor.totals();
        assertEq(swept, 50e18);
    }

    /* GOVERNANCE */

    function test_governance_setsParametersWithinBounds() public {
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNotGovernance.selector, address(this)));
        distributor.setChallengeWindow(2 days);
        vm.startPrank(governance);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsParameterOutOfBounds.selector, "challengeWindow", 15 days, 1 hours, 14 days
            )
        );
        distributor.setChallengeWindow(15 days);
        distributor.setChallengeWindow(2 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsParameterOutOfBounds.selector, "posterBond", 0, 1e18, 10_000_000e18
            )
        );
        distributor.setBonds(0, 1e18, 5_000);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsParameterOutOfBounds.selector, "winnerShareBps", 999, 1_000, 10_000
            )
        );
        distributor.setBonds(1e18, 1e18, 999);
        distributor.setBonds(2e18, 3e18, 6_000);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsParameterOutOfBounds.selector, "sweepNotice", 1 days, 7 days, 365 days
            )
        );
        distributor.setSweepParameters(1 days, 365 days);
        distributor.setSweepParameters(14 days, 400 days);
        vm.stopPrank();
        (uint32 w, uint96 pb, uint96 db, uint16 ws, uint32 sn, uint32 sa) = distributor.parameters();
        assertEq(w, 2 days);
        assertEq(pb, 2e18);
        assertEq(db, 3e18);
        assertEq(ws, 6_000);
        assertEq(sn, 14 days);
        assertEq(sa, 400 days);
    }

    /* MORE REVERT PATHS */

    function test_finalize_blockedWhilePausedThenWorks() public {
        uint256 index = _post(1, keccak256("a"), 1e18, 1);
        vm.warp(block.timestamp + WINDOW);
        vm.prank(governance);
        distributor.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        distributor.finalize(index);
        vm.prank(governance);
        distributor.unpause();
        distributor.finalize(index);
        assertEq(distributor.finalRoot(), keccak256("a"));
    }

    function test_releaseBond_refusedForDisputedOrUnknownRoot() public {
        uint256 a = _post(1, keccak256("a"), 1e18, 1);
        vm.startPrank(disputer);
        token.approve(address(distributor), DISPUTE_BOND);
        distributor.dispute(a, "x");
        vm.stopPrank();
        vm.warp(block.timestamp + 1);
        _postFinal(2, keccak256("b"), 1e18, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRewardsDistributor.RewardsBondNotReleasable.selector, a, IRewardsDistributor.RootStatus.Disputed
            )
        );
        distributor.releaseBond(a);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsUnknownRoot.selector, 9));
        distributor.releaseBond(9);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsUnknownRoot.selector, 9));
        distributor.dispute(9, "x");
    }

    function test_bondsAndAdmin_revertOnBadInput() public {
        vm.startPrank(poster);
        vm.expectRevert(IRewardsDistributor.RewardsZeroAmount.selector);
        distributor.depositBond(0);
        vm.expectRevert(IRewardsDistributor.RewardsZeroAmount.selector);
        distributor.withdrawBond(0, poster);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsZeroAddress.selector, "to"));
        distributor.withdrawBond(1, address(0));
        vm.stopPrank();
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsZeroAddress.selector, "poster"));
        distributor.setPoster(address(0), true);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsZeroAddress.selector, "resolver"));
        distributor.setResolver(address(0));
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNotGovernance.selector, address(this)));
        distributor.pause();
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNotGovernance.selector, address(this)));
        distributor.announceSweep(1);
    }

    function test_sweep_revertsOnBadInput() public {
        SettlementMerkle.Leaf[] memory l = _finalTree(1, 1);
        address[] memory accts = new address[](1);
        uint256[] memory amts = new uint256[](1);
        uint256[] memory merits = new uint256[](2);
        bytes32[][] memory proofs = new bytes32[][](1);
        vm.startPrank(governance);
        vm.expectRevert(IRewardsDistributor.RewardsLengthMismatch.selector);
        distributor.sweep(1, accts, amts, merits, proofs);
        vm.expectRevert(IRewardsDistributor.RewardsEmptyBatch.selector);
        distributor.sweep(1, new address[](0), amts, merits, proofs);
        merits = new uint256[](1);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsSweepNotAnnounced.selector, 1, 0));
        distributor.sweep(1, accts, amts, merits, proofs);
        vm.warp(block.timestamp + 365 days);
        distributor.announceSweep(1);
        vm.warp(block.timestamp + 30 days);
        accts[0] = l[1].account;
        amts[0] = l[1].cumulativeAmount + 1; // not the leaf
        merits[0] = l[1].merit;
        proofs[0] = l.proof(1);
        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsInvalidProof.selector, accts[0], amts[0], merits[0])
        );
        distributor.sweep(1, accts, amts, merits, proofs);
        vm.stopPrank();
    }

    /* FUZZ */

    function testFuzz_claim_neverAboveCumulative(uint96 a1, uint96 a2, uint96 a3) public {
        uint256 x1 = bound(a1, 1, 3_000e18);
        uint256 x2 = bound(a2, x1, 3_000e18);
        uint256 x3 = bound(a3, x2, 3_000e18);
        uint256[3] memory xs = [x1, x2, x3];
        uint256 got;
        for (uint256 e; e < 3; ++e) {
            SettlementMerkle.Leaf[] memory l = new SettlementMerkle.Leaf[](2);
            l[0] = SettlementMerkle.Leaf(alice, xs[e], e);
            l[1] = SettlementMerkle.Leaf(address(0xB2), 1e18, 0);
            vm.warp(block.timestamp + 1);
            _postFinal(e + 1, l.root(), xs[e] + 1e18, e);
            if (e == 0 || xs[e] > xs[e - 1]) got += distributor.claim(alice, xs[e], e, l.proof(0));
            assertLe(got, xs[e]);
        }
        assertEq(got, x3);
        assertEq(token.balanceOf(alice), x3);
    }

    function testFuzz_claimMany_paysEveryLeafExactly(uint256 n, uint256 seed) public {
        n = bound(n, 1, 40);
        SettlementMerkle.Leaf[] memory l = new SettlementMerkle.Leaf[](n);
        for (uint256 i; i < n; ++i) {
            uint256 amount = uint256(keccak256(abi.encode(seed, i))) % 200e18 + 1;
            l[i] = SettlementMerkle.Leaf(address(uint160(0xF000 + i)), amount, i);
        }
        (uint256 total, uint256 merit) = _sum(l);
        _fund(total);
        _postFinal(1, SettlementMerkle.root(l), total, merit);
        IRewardsDistributor.Claim[] memory cs = new IRewardsDistributor.Claim[](n);
        for (uint256 i; i < n; ++i) {
            cs[i] = IRewardsDistributor.Claim(
                l[i].account, l[i].cumulativeAmount, l[i].merit, SettlementMerkle.proof(l, i)
            );
        }
        assertEq(distributor.claimMany(cs), total);
        for (uint256 i; i < n; ++i) {
            assertEq(token.balanceOf(l[i].account), l[i].cumulativeAmount);
        }
        (,,, uint256 available) = distributor.totals();
        assertEq(available, 10_000e18); // the set-up funding is untouched
    }

    function testFuzz_leafHash_matchesStandardEncoding(address account, uint256 amount, uint256 merit) public view {
        assertEq(
            distributor.leafHash(account, amount, merit),
            keccak256(bytes.concat(keccak256(abi.encode(account, amount, merit))))
        );
    }
}

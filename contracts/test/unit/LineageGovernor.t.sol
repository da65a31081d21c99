// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {StakingGovBase, MeritTree, FlashLender} from "./StakingGovFixtures.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ILineageGovernor} from "../../src/interfaces/ILineageGovernor.sol";
import {IStakingRegistry} from "../../src/interfaces/IStakingRegistry.sol";
import {LineageGovernor} from "../../src/governance/LineageGovernor.sol";
import {MeritDecayLib} from "../../src/libraries/MeritDecayLib.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Vm} from "forge-std/Vm.sol";
import {OperatorRole} from "../../src/types/Roles.sol";

/// @notice Shared governance scenario: big OPEN holders, a staked node, and a final merit root.
abstract contract GovernorScenario is StakingGovBase {
    uint256 internal constant CAROL_MERIT = 10_000_000e18;
    uint256 internal constant DAVE_MERIT = 100_000_000e18; // k x 100M > 10% of the total voting supply: capped
    uint256 internal constant OTHER_MERIT = 4_000_000e18;

    address internal dave = makeAddr("dave");
    bytes32[] internal leaves;
    bytes32 internal meritRoot;
    uint64 internal epochEnd;
    uint256 internal totalMerit;

    function setUp() public virtual override {
        super.setUp();
        require(token.transfer(alice, 60_000_000e18), "fund");
        require(token.transfer(bob, 10_000_000e18), "fund");
        vm.prank(alice);
        token.delegate(alice);
        vm.prank(bob);
        token.delegate(bob);
        vm.prank(carol);
        token.delegate(carol);
        _registerAndStake(node, OperatorRole.Node, 100_000e18);

        leaves.push(MeritTree.leaf(carol, 5e18, CAROL_MERIT));
        leaves.push(MeritTree.leaf(dave, 1e18, DAVE_MERIT));
        leaves.push(MeritTree.leaf(makeAddr("erin"), 2e18, OTHER_MERIT));
        meritRoot = MeritTree.root(leaves);
        epochEnd = uint64(block.timestamp);
        totalMerit = CAROL_MERIT + DAVE_MERIT + OTHER_MERIT;
        roots.addRoot(uint64(block.timestamp + 1 hours), meritRoot, epochEnd, totalMerit);
        vm.warp(block.timestamp + 2 hours);
    }

    function _meritParams(uint256 index, uint256 cumulativeAmount, uint256 merit) internal view returns (bytes memory) {
        return abi.encode(cumulativeAmount, merit, MeritTree.proof(leaves, index));
    }

    function _proposal() internal view returns (address[] memory t, uint256[] memory v, bytes[] memory c) {
        t = new address[](1);
        v = new uint256[](1);
        c = new bytes[](1);
        t[0] = address(staking);
        c[0] = abi.encodeCall(IStakingRegistry.setMinStake, (OperatorRole.Node, 20_000e18));
    }

    function _propose(string memory description) internal returns (uint256 id) {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _proposal();
        vm.prank(alice);
        id = governor.propose(t, v, c, description);
    }
}

contract LineageGovernorTest is GovernorScenario {
    /* VOTES */

    function test_getVotes_countsOpenPlusStake() public {
        vm.prank(alice);
        token.approve(address(staking), type(uint256).max);
        vm.prank(alice);
        staking.delegate(node, 5_000_000e18);
        uint256 t = block.timestamp;
        vm.warp(t + 1);
        assertEq(token.getPastVotes(alice, t), 56_000_000e18);
        assertEq(governor.getVotes(alice, t), 61_000_000e18, "staked OPEN keeps its vote");
        assertEq(governor.getVotes(node, t), 100_000e18, "self-stake votes, undelegated OPEN does not");
    }

    function test_getVotesWithParams_addsDecayedWeightedMerit() public {
        uint256 t = epochEnd + HALF_LIFE;
        vm.warp(t + 1);
        bytes memory params = _meritParams(0, 5e18, CAROL_MERIT);
        uint256 merit = governor.meritVotes(carol, t, params);
        // k = 2, one half-life: 2 x M / 2 = M, never above, within 2^-63.
        assertLe(merit, CAROL_MERIT);
        assertApproxEqAbs(merit, CAROL_MERIT, CAROL_MERIT / 2 ** 62 + 2);
        assertEq(governor.getVotesWithParams(carol, t, params), token.getPastVotes(carol, t) + merit);
        assertEq(governor.getVotes(carol, t), token.getPastVotes(carol, t), "castVote path: no merit");
    }

    function test_meritVotes_cappedAtShareOfTotalVotingSupply() public view {
        uint256 t = block.timestamp - 1;
        uint256 merit = governor.meritVotes(dave, t, _meritParams(1, 1e18, DAVE_MERIT));
        uint256 supply = governor.totalVotingSupply(t);
        assertEq(merit, supply * MERIT_CAP_BPS / 10_000, "capped");
        assertLt(merit, 2 * MeritDecayLib.decay(DAVE_MERIT, t - epochEnd, HALF_LIFE));
    }

    function test_meritVotes_anotherAccountsLeafDoesNotCount() public {
        uint256 t = block.timestamp - 1;
        bytes memory carolsProof = _meritParams(0, 5e18, CAROL_MERIT);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, bob, meritRoot)
        );
        governor.getVotesWithParams(bob, t, carolsProof);
        // A made-up merit for one's own address does not verify either.
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, carol, meritRoot)
        );
        governor.getVotesWithParams(carol, t, _meritParams(0, 5e18, CAROL_MERIT * 2));
    }

    function test_meritVotes_revertsWithoutFinalRootOrOnMalformedParams() public {
        bytes memory params = _meritParams(0, 5e18, CAROL_MERIT);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorNoMeritRoot.selector, epochEnd + 1 hours - 1)
        );
        governor.meritVotes(carol, epochEnd + 1 hours - 1, params);
        vm.expectRevert(abi.encodeWithSelector(ILineageGovernor.LineageGovernorMalformedMeritParams.selector, 64));
        governor.meritVotes(carol, block.timestamp - 1, abi.encode(uint256(1), uint256(2)));
    }

    function test_meritVotes_verifiesStandardMerkleTreeVector() public {
        // Fixed vectors from @openzeppelin/merkle-tree (contracts/test/unit/fixtures/merit-tree-vectors.mjs).
        bytes32 root = 0x1386212d378c039c6a650507d0037ae17eb309283bc81a7dbdb42ee90b5f7643;
        roots.addRoot(uint64(block.timestamp), root, uint64(block.timestamp), 13e18);
        vm.warp(block.timestamp + 1);
        bytes32[] memory proof = new bytes32[](2);
        proof[0] = 0x43c6612d72f1d97b70973bf95207b65e4e5a5f72c71c82b315cf51d4305ffe62;
        proof[1] = 0xb3378b2da7bb2ba929172cd6c19b1b2bef774cdbb52fb03e228d16e4715d7066;
        address account = 0x2222222222222222222222222222222222222222;
        uint256 got = governor.meritVotes(account, block.timestamp - 1, abi.encode(7e18, 1e18, proof));
        assertApproxEqAbs(got, 2e18, 1e3, "k = 2, elapsed 1 s");
        assertLe(got, 2e18);
    }

    function test_quorum_countsSupplyPlusDecayedMerit() public view {
        uint256 t = block.timestamp - 1;
        uint256 weighted = 2 * MeritDecayLib.decay(totalMerit, t - epochEnd, HALF_LIFE);
        assertEq(governor.totalVotingSupply(t), token.getPastTotalSupply(t) + weighted);
        assertEq(governor.quorum(t), (token.getPastTotalSupply(t) + weighted) * QUORUM_BPS / 10_000);
    }

    /* MERIT SNAPSHOT CACHE AND COMPACT VOTE EVENT */

    function _expectedMerit(uint256 merit, uint256 t) internal view returns (uint256) {
        return 2 * MeritDecayLib.decay(merit, t - epochEnd, HALF_LIFE);
    }

    function _countCached(Vm.Log[] memory logs) internal pure returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == ILineageGovernor.MeritSnapshotCached.selector) ++n;
        }
    }

    function test_castVoteWithParams_votesNeverCacheCachedSnapshotIsReused() public {
        uint256 id = _propose("cache");
        uint256 t = governor.proposalSnapshot(id);
        vm.warp(t + 1);
        bytes memory carolParams = _meritParams(0, 5e18, CAROL_MERIT);
        bytes memory daveParams = _meritParams(1, 1e18, DAVE_MERIT);
        // The view (uncached) figures, before any vote.
        uint256 carolView = governor.getVotesWithParams(carol, t, carolParams);
        uint256 daveView = governor.getVotesWithParams(dave, t, daveParams);
        uint256 cap = governor.totalVotingSupply(t) * MERIT_CAP_BPS / 10_000;
        assertEq(carolView, token.getPastVotes(carol, t) + _expectedMerit(CAROL_MERIT, t));
        assertEq(daveView, cap, "dave is capped");

        bytes32 carolLeaf = MeritTree.leaf(carol, 5e18, CAROL_MERIT);
        vm.recordLogs();
        vm.expectEmit(true, false, false, true, address(governor));
        emit IGovernor.VoteCastWithParams(carol, id, 1, carolView, "why", abi.encode(carolLeaf));
        vm.prank(carol);
        assertEq(governor.castVoteWithReasonAndParams(id, 1, "why", carolParams), carolView);
        assertEq(_countCached(vm.getRecordedLogs()), 0, "a vote never writes the cache");

        // Anyone caches the snapshot; the next merit vote reads it (and writes nothing).
        vm.expectEmit(true, false, false, false, address(governor));
        emit ILineageGovernor.MeritSnapshotCached(t, meritRoot, 0, 0, 0, 0);
        governor.cacheMeritSnapshot(t);
        vm.recordLogs();
        vm.prank(dave);
        assertEq(governor.castVoteWithReasonAndParams(id, 0, "", daveParams), daveView, "cached cap is exact");
        assertEq(_countCached(vm.getRecordedLogs()), 0, "a vote reads the cache, writes nothing");
        (uint256 against, uint256 forVotes,) = governor.proposalVotes(id);
        assertEq(forVotes, carolView);
        assertEq(against, daveView);
        // Views after caching agree with the figures computed before it.
        assertEq(governor.getVotesWithParams(carol, t, carolParams), carolView);
        assertEq(governor.meritVotes(dave, t, daveParams), cap);
    }

    /// @notice The assembly-encoded vote event is exactly Solidity's `emit`, whatever the reason's length.
    function testFuzz_castVoteWithParams_eventEncodingMatchesSolidity(uint256 reasonLength, uint8 support) public {
        reasonLength = bound(reasonLength, 0, 200);
        support = uint8(bound(support, 0, 2));
        bytes memory r = new bytes(reasonLength);
        for (uint256 i; i < reasonLength; ++i) {
            r[i] = bytes1(uint8(65 + (i % 26)));
        }
        uint256 id = _propose("event");
        uint256 t = governor.proposalSnapshot(id);
        vm.warp(t + 1);
        bytes memory params = _meritParams(0, 5e18, CAROL_MERIT);
        uint256 weight = governor.getVotesWithParams(carol, t, params);
        vm.recordLogs();
        vm.prank(carol);
        governor.castVoteWithReasonAndParams(id, support, string(r), params);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        Vm.Log memory last = logs[logs.length - 1];
        assertEq(last.topics.length, 2);
        assertEq(last.topics[0], IGovernor.VoteCastWithParams.selector);
        assertEq(last.topics[1], bytes32(uint256(uint160(carol))));
        assertEq(
            keccak256(last.data),
            keccak256(abi.encode(id, support, weight, string(r), abi.encode(MeritTree.leaf(carol, 5e18, CAROL_MERIT)))),
            "byte-identical to abi.encode"
        );
    }

    function test_castVoteWithParams_cachePerSnapshotAndRootFinalAfterSnapshotNotUsed() public {
        uint256 id1 = _propose("first");
        uint256 t1 = governor.proposalSnapshot(id1);
        // A new root (carol's merit doubled) becomes final one hour AFTER the first snapshot.
        bytes32[] memory l2 = new bytes32[](2);
        l2[0] = MeritTree.leaf(carol, 9e18, 2 * CAROL_MERIT);
        l2[1] = MeritTree.leaf(dave, 1e18, OTHER_MERIT);
        bytes32 root2 = MeritTree.root(l2);
        uint64 epochEnd2 = uint64(t1 - 1);
        roots.addRoot(uint64(t1 + 1 hours), root2, epochEnd2, 2 * CAROL_MERIT + OTHER_MERIT);
        bytes memory newParams = abi.encode(uint256(9e18), 2 * CAROL_MERIT, MeritTree.proof(l2, 0));
        bytes memory oldParams = _meritParams(0, 5e18, CAROL_MERIT);
        vm.warp(t1 + 2 hours);

        // The first proposal counts only the root final at its snapshot, before and after its cache exists.
        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, carol, meritRoot)
        );
        governor.castVoteWithReasonAndParams(id1, 1, "", newParams);
        vm.prank(carol);
        uint256 w1 = governor.castVoteWithReasonAndParams(id1, 1, "", oldParams);
        assertEq(w1, token.getPastVotes(carol, t1) + _expectedMerit(CAROL_MERIT, t1));
        assertEq(governor.cacheMeritSnapshot(t1), meritRoot, "the root final at the snapshot is cached");
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, carol, meritRoot)
        );
        governor.meritVotes(carol, t1, newParams);
        vm.prank(dave);
        uint256 wDave = governor.castVoteWithReasonAndParams(id1, 1, "", _meritParams(1, 1e18, DAVE_MERIT));
        assertEq(wDave, governor.totalVotingSupply(t1) * MERIT_CAP_BPS / 10_000);

        // A second proposal, later snapshot: its own cache, the new root and more decay.
        uint256 id2 = _propose("second");
        uint256 t2 = governor.proposalSnapshot(id2);
        vm.warp(t2 + 1);
        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, carol, root2)
        );
        governor.castVoteWithReasonAndParams(id2, 1, "", oldParams);
        vm.recordLogs();
        vm.prank(carol);
        uint256 w2 = governor.castVoteWithReasonAndParams(id2, 1, "", newParams);
        assertEq(_countCached(vm.getRecordedLogs()), 0, "votes never cache");
        assertEq(
            w2, token.getPastVotes(carol, t2) + 2 * MeritDecayLib.decay(2 * CAROL_MERIT, t2 - epochEnd2, HALF_LIFE)
        );
        assertEq(governor.cacheMeritSnapshot(t2), root2, "the second snapshot's own record");
        assertEq(governor.meritVotes(carol, t2, newParams), w2 - token.getPastVotes(carol, t2), "cached == computed");
        // The first proposal's cache was not touched by the second.
        assertEq(governor.meritVotes(carol, t1, oldParams), _expectedMerit(CAROL_MERIT, t1));
    }

    function test_castVoteWithParams_badProofRefusedWithCachedSnapshot() public {
        uint256 id = _propose("bad proofs");
        uint256 t = governor.proposalSnapshot(id);
        vm.warp(t + 1);
        governor.cacheMeritSnapshot(t);
        // Another account's leaf.
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, bob, meritRoot)
        );
        governor.castVoteWithReasonAndParams(id, 1, "", _meritParams(0, 5e18, CAROL_MERIT));
        // A tampered sibling.
        bytes32[] memory proof = MeritTree.proof(leaves, 0);
        proof[0] = bytes32(uint256(proof[0]) ^ 1);
        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, carol, meritRoot)
        );
        governor.castVoteWithReasonAndParams(id, 1, "", abi.encode(uint256(5e18), CAROL_MERIT, proof));
        // An inflated merit.
        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, carol, meritRoot)
        );
        governor.castVoteWithReasonAndParams(id, 1, "", _meritParams(0, 5e18, CAROL_MERIT + 1));
        assertFalse(governor.hasVoted(id, bob));
        assertFalse(governor.hasVoted(id, carol));
        (, uint256 forVotes,) = governor.proposalVotes(id);
        assertEq(forVotes, 0, "nothing counted");
    }

    function test_cacheMeritSnapshot_pastOnlyOnceAndNeedsARoot() public {
        uint256 now_ = block.timestamp;
        vm.expectRevert(abi.encodeWithSelector(ILineageGovernor.LineageGovernorFutureLookup.selector, now_, now_));
        governor.cacheMeritSnapshot(now_);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorNoMeritRoot.selector, epochEnd + 1 hours - 1)
        );
        governor.cacheMeritSnapshot(epochEnd + 1 hours - 1);
        uint256 t = now_ - 1;
        bytes memory params = _meritParams(0, 5e18, CAROL_MERIT);
        uint256 before = governor.meritVotes(carol, t, params);
        vm.recordLogs();
        assertEq(governor.cacheMeritSnapshot(t), meritRoot);
        assertEq(governor.cacheMeritSnapshot(t), meritRoot);
        assertEq(_countCached(vm.getRecordedLogs()), 1, "cached once");
        assertEq(governor.meritVotes(carol, t, params), before, "cached == computed");
    }

    /// @notice A cap above 2^95 - 1 votes is cached saturated; a vote that exceeds it gets the exact cap, recomputed.
    function test_meritVotes_saturatedCachedCapIsRecomputedExactly() public {
        bytes32[] memory l = new bytes32[](2);
        l[0] = MeritTree.leaf(bob, 0, 1e30);
        l[1] = MeritTree.leaf(carol, 0, 1e30);
        roots.addRoot(uint64(block.timestamp), MeritTree.root(l), uint64(block.timestamp), 2e30);
        vm.warp(block.timestamp + 1);
        uint256 t = block.timestamp - 1;
        bytes memory params = abi.encode(uint256(0), uint256(1e30), MeritTree.proof(l, 0));
        uint256 computed = governor.meritVotes(bob, t, params);
        uint256 cap = governor.totalVotingSupply(t) * MERIT_CAP_BPS / 10_000;
        assertGt(cap, type(uint96).max >> 1, "the cap does not fit the cached field");
        assertEq(computed, cap, "capped");
        vm.recordLogs();
        governor.cacheMeritSnapshot(t);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_countCached(logs), 1);
        (,,,, uint256 cachedCap) = abi.decode(logs[0].data, (bytes32, uint256, uint256, uint256, uint256));
        assertEq(cachedCap, type(uint96).max >> 1, "saturated");
        assertEq(governor.meritVotes(bob, t, params), cap, "exact cap from the cached record");
    }

    function test_meritVotes_refusesNonCanonicalParams() public {
        uint256 t = block.timestamp - 1;
        bytes memory good = _meritParams(0, 5e18, CAROL_MERIT);
        assertGt(governor.meritVotes(carol, t, good), 0);
        bytes memory trailing = bytes.concat(good, bytes1(0));
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorMalformedMeritParams.selector, trailing.length)
        );
        governor.meritVotes(carol, t, trailing);
        bytes memory extraWord = bytes.concat(good, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorMalformedMeritParams.selector, extraWord.length)
        );
        governor.meritVotes(carol, t, extraWord);
        bytes memory badOffset = bytes.concat(good);
        badOffset[95] = 0x40; // the proof offset word (bytes 64..95) says 0x40 instead of 0x60
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorMalformedMeritParams.selector, badOffset.length)
        );
        governor.meritVotes(carol, t, badOffset);
        bytes memory longCount = bytes.concat(good);
        longCount[127] = bytes1(uint8(longCount[127]) + 1); // the proof length word claims one more element
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorMalformedMeritParams.selector, longCount.length)
        );
        governor.meritVotes(carol, t, longCount);
    }

    /// @notice The in-place assembly proof check agrees with OpenZeppelin's MerkleProof on random trees, and refuses
    /// any one-bit change of a sibling.
    function testFuzz_meritVotes_proofCheckMatchesOpenZeppelin(uint256 n, uint256 index, uint256 flip) public {
        n = bound(n, 2, 33);
        index = bound(index, 0, n - 1);
        bytes32[] memory l = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            l[i] = MeritTree.leaf(i == index ? bob : address(uint160(0xbeef + i)), i, 1e18 + i);
        }
        bytes32 root = MeritTree.root(l);
        roots.addRoot(uint64(block.timestamp), root, uint64(block.timestamp), 1e20);
        vm.warp(block.timestamp + 1);
        uint256 t = block.timestamp - 1;
        bytes32[] memory proof = MeritTree.proof(l, index);
        assertTrue(MerkleProof.verify(proof, root, l[index]));
        // t is the root's epoch end: no decay yet, k = 2.
        assertEq(governor.meritVotes(bob, t, abi.encode(index, 1e18 + index, proof)), 2 * (1e18 + index));
        flip = bound(flip, 0, proof.length * 256 - 1);
        proof[flip / 256] = bytes32(uint256(proof[flip / 256]) ^ (1 << (flip % 256)));
        assertFalse(MerkleProof.verify(proof, root, l[index]));
        vm.expectRevert(abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, bob, root));
        governor.meritVotes(bob, t, abi.encode(index, 1e18 + index, proof));
    }

    /* ATTACKS */

    function test_castVote_flashLoanAfterSnapshotHasNoWeight() public {
        FlashLender lender = new FlashLender(token);
        require(token.transfer(address(lender), 200_000_000e18), "fund lender");
        uint256 id = _propose("flash");
        vm.warp(governor.proposalSnapshot(id) + 1);
        FlashAttacker attacker = new FlashAttacker(governor, token, lender, staking, node);
        attacker.attack(id, 200_000_000e18);
        (, uint256 forVotes,) = governor.proposalVotes(id);
        assertEq(forVotes, 0, "borrowed OPEN delegated after the snapshot has no weight");
        assertTrue(governor.hasVoted(id, address(attacker)));
        assertEq(token.balanceOf(address(lender)), 200_000_000e18, "loan repaid");
    }

    function test_propose_flashLoanCannotMeetThreshold() public {
        FlashLender lender = new FlashLender(token);
        require(token.transfer(address(lender), 200_000_000e18), "fund lender");
        FlashAttacker attacker = new FlashAttacker(governor, token, lender, staking, node);
        vm.expectRevert(
            abi.encodeWithSelector(IGovernor.GovernorInsufficientProposerVotes.selector, address(attacker), 0, 1_000e18)
        );
        attacker.proposeWithLoan(200_000_000e18);
    }

    function test_castVote_noDoubleVotingThroughDelegationChanges() public {
        uint256 id = _propose("double");
        vm.warp(governor.proposalSnapshot(id) + 1);
        vm.prank(alice);
        governor.castVote(id, 1);
        // Alice moves her votes and tokens after voting: they do not count again.
        vm.prank(alice);
        token.delegate(bob);
        vm.prank(alice);
        require(token.transfer(carol, 50_000_000e18), "move");
        vm.prank(bob);
        governor.castVote(id, 1);
        vm.prank(carol);
        governor.castVote(id, 1);
        (, uint256 forVotes,) = governor.proposalVotes(id);
        assertEq(forVotes, 61_000_000e18 + 11_000_000e18 + 1_000_000e18, "each counted once, at the snapshot");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorAlreadyCastVote.selector, alice));
        governor.castVote(id, 1);
        // Nor does stake moved after the snapshot.
        vm.prank(bob);
        token.approve(address(staking), type(uint256).max);
        vm.prank(bob);
        staking.delegate(node, 1_000_000e18);
        assertEq(governor.getVotes(bob, governor.proposalSnapshot(id)), 11_000_000e18);
    }

    function test_castVoteWithParams_revertsForAnotherAccountsMerit() public {
        uint256 id = _propose("steal merit");
        vm.warp(governor.proposalSnapshot(id) + 1);
        bytes memory carolsProof = _meritParams(0, 5e18, CAROL_MERIT);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ILineageGovernor.LineageGovernorInvalidMeritProof.selector, bob, meritRoot)
        );
        governor.castVoteWithReasonAndParams(id, 1, "", carolsProof);
        assertFalse(governor.hasVoted(id, bob));
    }

    /* GOVERNED PARAMETERS */

    function test_setMeritParameters_onlyGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, address(this)));
        governor.setMeritParameters(10_000, 60 days, 500, 300);
    }

    function test_setMeritParameters_boundedAndCheckpointedThroughProposal() public {
        uint256 oldSnapshotId = _propose("running vote");
        {
            (address[] memory t0, uint256[] memory v0, bytes[] memory c0) = _setMeritCall(30_000, 60 days, 500, 300);
            _pass(t0, v0, c0, "set merit");
        }
        ILineageGovernor.MeritParameters memory p = governor.meritParametersAt(block.timestamp);
        assertEq(p.meritWeight, 30_000);
        assertEq(p.halfLife, 60 days);
        assertEq(p.meritCapBps, 500);
        assertEq(p.quorumBps, 300);
        ILineageGovernor.MeritParameters memory old =
            governor.meritParametersAt(governor.proposalSnapshot(oldSnapshotId));
        assertEq(old.meritWeight, MERIT_WEIGHT, "earlier snapshots keep their parameters");
        // Out-of-bounds values are refused by name.
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setMeritCall(100_001, 60 days, 500, 300);
        uint256 id = _passUntilQueued(t, v, c, "too big");
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILineageGovernor.LineageGovernorParameterOutOfBounds.selector,
                bytes32("meritWeight"),
                100_001,
                0,
                100_000
            )
        );
        governor.execute(t, v, c, keccak256("too big"));
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Queued));
    }

    function test_constructor_rejectsBlockNumberClockToken() public {
        BlockClockToken bad = new BlockClockToken();
        vm.expectRevert(
            abi.encodeWithSelector(
                ILineageGovernor.LineageGovernorClockMismatch.selector, "mode=blocknumber&from=default"
            )
        );
        new LineageGovernor(
            bad,
            staking,
            roots,
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
    }

    /* LAZY CAP AND LATEST-PARAMETERS SHORTCUT */

    /// @dev A root over (bob: `merit`, carol: `others`) final and ending at the current second, returned with bob's
    /// params and the snapshot (one second later, no decay: k x merit exactly).
    function _bobRoot(uint256 merit, uint256 others, uint256 total) internal returns (bytes memory params, uint256 t) {
        bytes32[] memory l = new bytes32[](2);
        l[0] = MeritTree.leaf(bob, 0, merit);
        l[1] = MeritTree.leaf(carol, 0, others);
        roots.addRoot(uint64(block.timestamp), MeritTree.root(l), uint64(block.timestamp), total);
        t = block.timestamp;
        vm.warp(block.timestamp + 1);
        params = abi.encode(uint256(0), merit, MeritTree.proof(l, 0));
    }

    /// @notice Uncached: while k x merit <= k x totalMerit x capBps / BPS the cap cannot bind and OPEN's past total
    /// supply is not read; one unit above, it is read and the exact cap applies (here it does not bind).
    function test_meritVotes_lazyCapNotReadAtTheBoundary() public {
        uint256 total = 1e24;
        uint256 bound_ = total * MERIT_CAP_BPS / 10_000; // k = 2: votes 2 x bound_ == (2 x total) x capBps / BPS
        (bytes memory atBound, uint256 t) = _bobRoot(bound_, total - bound_, total);
        vm.expectCall(address(token), abi.encodeWithSelector(token.getPastTotalSupply.selector, t), 0);
        assertEq(governor.meritVotes(bob, t, atBound), 2 * bound_, "not capped, supply not read");

        (bytes memory above, uint256 t2) = _bobRoot(bound_ + 1, total - bound_ - 1, total);
        vm.expectCall(address(token), abi.encodeWithSelector(token.getPastTotalSupply.selector, t2), 1);
        uint256 got = governor.meritVotes(bob, t2, above);
        assertEq(got, 2 * (bound_ + 1), "read the supply: the cap does not bind");
    }

    /// @notice Uncached vote weights: the voter's own OPEN votes are a floor of OPEN's supply too, so the cap cannot
    /// bind while k x merit <= (OPEN votes + k x totalMerit) x capBps / BPS: supply not read; one unit above, read.
    function test_getVotesWithParams_lazyCapOpenVotesFloor() public {
        uint256 total = 1e25;
        uint256 v = token.getPastVotes(bob, block.timestamp - 1);
        assertGt(v, 0);
        uint256 m = ((v + 2 * total) * MERIT_CAP_BPS / 10_000) / 2;
        assertGt(2 * m, 2 * total * MERIT_CAP_BPS / 10_000, "above the total-merit bound alone");
        (bytes memory atFloor, uint256 t) = _bobRoot(m, total - m, total);
        assertEq(token.getPastVotes(bob, t), v);
        uint256 base = governor.getVotes(bob, t);
        vm.expectCall(address(token), abi.encodeWithSelector(token.getPastTotalSupply.selector, t), 0);
        assertEq(governor.getVotesWithParams(bob, t, atFloor), base + 2 * m, "not capped, supply not read");

        (bytes memory above, uint256 t2) = _bobRoot(m + 1, total - m - 1, total);
        vm.expectCall(address(token), abi.encodeWithSelector(token.getPastTotalSupply.selector, t2), 1);
        assertEq(governor.getVotesWithParams(bob, t2, above), base + 2 * (m + 1), "supply read, cap not binding");
    }

    /// @notice Uncached, the cap binding: exactly the cap (OPEN supply + k x total merit) x capBps / BPS, one vote
    /// over it and at it, equal to the cached path's figure.
    function test_meritVotes_lazyCapBindsExactlyAtTheCap() public {
        uint256 supply = token.totalSupply();
        uint256 total = 1e30;
        // cap = (supply + 2 x total) x capBps / BPS; bob's votes 2 x merit.
        uint256 cap = (supply + 2 * total) * MERIT_CAP_BPS / 10_000;
        uint256 atCap = cap / 2;
        (bytes memory p1, uint256 t1) = _bobRoot(atCap, total - atCap, total);
        assertEq(governor.meritVotes(bob, t1, p1), 2 * atCap, "at (or one under) the cap: not capped");
        (bytes memory p2, uint256 t2) = _bobRoot(atCap + 1, total - atCap - 1, total);
        uint256 cap2 = governor.totalVotingSupply(t2) * MERIT_CAP_BPS / 10_000;
        assertEq(cap2, cap);
        assertGt(2 * (atCap + 1), cap2, "over the cap");
        assertEq(governor.meritVotes(bob, t2, p2), cap2, "capped exactly");
        governor.cacheMeritSnapshot(t2);
        assertEq(governor.meritVotes(bob, t2, p2), cap2, "cached path agrees");
    }

    /// @notice The latest parameters are read from their own slot at or after the time they took effect; an earlier
    /// timepoint reads the checkpoint history (k = 2 before, k = 3 from the change on), for votes too.
    function test_meritVotes_latestParametersShortcutAndEarlierTimepoints() public {
        (bytes memory params, uint256 tBefore) = _bobRoot(1e18, 1e18, 2e18);
        {
            (address[] memory t0, uint256[] memory v0, bytes[] memory c0) =
                _setMeritCall(30_000, HALF_LIFE, MERIT_CAP_BPS, QUORUM_BPS);
            _pass(t0, v0, c0, "k = 3");
        }
        uint256 changedAt = block.timestamp;
        vm.warp(block.timestamp + 10);
        assertEq(governor.meritParametersAt(changedAt - 1).meritWeight, MERIT_WEIGHT, "just before: history");
        assertEq(governor.meritParametersAt(changedAt).meritWeight, 30_000, "from the change: latest slot");
        assertEq(governor.meritParametersAt(block.timestamp).meritWeight, 30_000);
        assertEq(governor.meritParametersAt(0).meritWeight, MERIT_WEIGHT, "construction parameters");
        assertEq(governor.meritVotes(bob, tBefore, params), 2e18, "k = 2 at a snapshot before the change");
        uint256 decayed = MeritDecayLib.decay(1e18, changedAt - tBefore, HALF_LIFE);
        assertEq(governor.meritVotes(bob, changedAt, params), 3 * decayed, "k = 3 at the change");
        // A second change: the first one is now answered from the history, the second from the slot.
        {
            (address[] memory t1, uint256[] memory v1, bytes[] memory c1) =
                _setMeritCall(40_000, HALF_LIFE, MERIT_CAP_BPS, QUORUM_BPS);
            _pass(t1, v1, c1, "k = 4");
        }
        uint256 changedAt2 = block.timestamp;
        assertEq(governor.meritParametersAt(changedAt2).meritWeight, 40_000);
        assertEq(governor.meritParametersAt(changedAt2 - 1).meritWeight, 30_000, "history between the changes");
        assertEq(governor.meritParametersAt(changedAt).meritWeight, 30_000);
        assertEq(governor.meritVotes(bob, changedAt, params), 3 * decayed, "unchanged by a later change");
        assertEq(governor.meritVotes(bob, tBefore, params), 2e18);
    }

    /// @notice The cache hint: votes read a cached record only at the snapshot cached last (one read of the params
    /// slot tells); a record cached earlier is then not read (the vote computes, same figure) until that snapshot is
    /// cached again (which re-emits {MeritSnapshotCached}); a parameter change keeps the hint; the latest parameters
    /// are still answered from their slot with a hint set.
    /// @dev `meritVotes(account, t, params) == expected`, and whether it read the merit roots (the uncached path).
    function _assertVotesAndRootReads(
        address account,
        uint256 t,
        bytes memory params,
        uint256 expected,
        bool computed,
        string memory label
    ) internal {
        vm.record();
        assertEq(governor.meritVotes(account, t, params), expected, label);
        (bytes32[] memory reads,) = vm.accesses(address(roots));
        assertEq(reads.length != 0, computed, string.concat(label, ": read path"));
    }

    function test_cacheMeritSnapshot_hintSteersOnlyTheReadPath() public {
        (bytes memory p1, uint256 t1) = _bobRoot(1e18, 1e18, 2e18);
        vm.warp(block.timestamp + 1 days);
        uint256 t2 = block.timestamp - 1;
        assertEq(governor.meritCacheHint(), 0, "no hint before any caching");
        uint256 v1 = governor.meritVotes(bob, t1, p1);
        uint256 v2 = governor.meritVotes(bob, t2, p1);
        governor.cacheMeritSnapshot(t1);
        // Hinted and cached: no finalRootAt call.
        _assertVotesAndRootReads(bob, t1, p1, v1, 0 != 0, "t1 from its record");
        governor.cacheMeritSnapshot(t2);
        assertEq(governor.meritCacheHint(), t2, "the latest cached snapshot is the hint");
        _assertVotesAndRootReads(bob, t2, p1, v2, 0 != 0, "t2 from its record");
        // t1's record is still there but no longer hinted: computed, same figure.
        _assertVotesAndRootReads(bob, t1, p1, v1, 1 != 0, "t1 computed");
        // Caching t1 again hints it again (and says so); a second call in a row is a no-op.
        vm.recordLogs();
        governor.cacheMeritSnapshot(t1);
        governor.cacheMeritSnapshot(t1);
        assertEq(_countCached(vm.getRecordedLogs()), 1, "re-hinted once");
        assertEq(governor.meritCacheHint(), t1);
        _assertVotesAndRootReads(bob, t1, p1, v1, 0 != 0, "t1 from its record again");
        // A governed parameter change keeps the hint and reads the new parameters from the slot.
        {
            (address[] memory ts, uint256[] memory vs, bytes[] memory cs) =
                _setMeritCall(30_000, HALF_LIFE, MERIT_CAP_BPS, QUORUM_BPS);
            _pass(ts, vs, cs, "k = 3, hint kept");
        }
        _assertVotesAndRootReads(bob, t1, p1, v1, 0 != 0, "still hinted after a parameter change");
        assertEq(governor.meritParametersAt(block.timestamp).meritWeight, 30_000, "latest parameters");
        assertEq(governor.meritParametersAt(t2).meritWeight, MERIT_WEIGHT, "earlier parameters");
    }

    /* FUZZ */

    function testFuzz_meritVotes_neverAboveWeightedMeritOrCap(uint256 merit, uint256 others, uint256 age) public {
        merit = bound(merit, 1, 1e30);
        others = bound(others, 0, 1e30);
        age = bound(age, 0, 3 * 365 days);
        bytes32[] memory l = new bytes32[](2);
        l[0] = MeritTree.leaf(bob, 0, merit);
        l[1] = MeritTree.leaf(carol, 0, others);
        roots.addRoot(uint64(block.timestamp), MeritTree.root(l), uint64(block.timestamp), merit + others);
        vm.warp(block.timestamp + age + 1);
        uint256 t = block.timestamp - 1;
        uint256 got = governor.meritVotes(bob, t, abi.encode(uint256(0), merit, MeritTree.proof(l, 0)));
        uint256 weighted = 2 * MeritDecayLib.decay(merit, t - (block.timestamp - age - 1), HALF_LIFE);
        assertLe(got, weighted);
        assertLe(got, governor.totalVotingSupply(t) * MERIT_CAP_BPS / 10_000);
        // Either the full weighted merit or exactly the cap.
        assertTrue(got == weighted || got == governor.totalVotingSupply(t) * MERIT_CAP_BPS / 10_000);
        // The lazy (uncached) cap and the cached record agree.
        governor.cacheMeritSnapshot(t);
        assertEq(governor.meritVotes(bob, t, abi.encode(uint256(0), merit, MeritTree.proof(l, 0))), got, "cached");
    }

    function test_constructor_rejectsOutOfBoundsSettings() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ILineageGovernor.LineageGovernorParameterOutOfBounds.selector,
                bytes32("votingPeriod"),
                uint256(60),
                uint256(1 days),
                uint256(60 days)
            )
        );
        new LineageGovernor(
            token,
            staking,
            roots,
            timelock,
            LineageGovernor.Config({
                votingDelay: VOTING_DELAY,
                votingPeriod: 60,
                proposalThreshold: 0,
                merit: ILineageGovernor.MeritParameters({
                    meritWeight: MERIT_WEIGHT, meritCapBps: MERIT_CAP_BPS, quorumBps: QUORUM_BPS, halfLife: HALF_LIFE
                })
            })
        );
    }

    /* HELPERS */

    function _setMeritCall(uint32 k, uint64 halfLife, uint16 cap, uint16 quorumBps)
        internal
        view
        returns (address[] memory t, uint256[] memory v, bytes[] memory c)
    {
        t = new address[](1);
        v = new uint256[](1);
        c = new bytes[](1);
        t[0] = address(governor);
        c[0] = abi.encodeCall(ILineageGovernor.setMeritParameters, (k, halfLife, cap, quorumBps));
    }

    function _passUntilQueued(address[] memory t, uint256[] memory v, bytes[] memory c, string memory d)
        internal
        returns (uint256 id)
    {
        vm.prank(alice);
        id = governor.propose(t, v, c, d);
        vm.warp(governor.proposalSnapshot(id) + 1);
        vm.prank(alice);
        governor.castVote(id, 1);
        vm.warp(governor.proposalDeadline(id) + 1);
        governor.queue(t, v, c, keccak256(bytes(d)));
    }

    function _pass(address[] memory t, uint256[] memory v, bytes[] memory c, string memory d) internal {
        _passUntilQueued(t, v, c, d);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        governor.execute(t, v, c, keccak256(bytes(d)));
    }
}

/// @notice Borrows OPEN after a snapshot, delegates it, votes (or proposes), repays.
contract FlashAttacker {
    LineageGovernor internal governor;
    ERC20 internal token;
    FlashLender internal lender;
    IStakingRegistry internal staking;
    address internal operator;
    uint256 internal proposalId;

    constructor(LineageGovernor g, ERC20 t, FlashLender l, IStakingRegistry s, address op) {
        governor = g;
        token = t;
        lender = l;
        staking = s;
        operator = op;
    }

    function attack(uint256 id, uint256 amount) external {
        proposalId = id;
        lender.flashLoan(amount, abi.encodeCall(this.onLoanVote, (amount)));
    }

    function onLoanVote(uint256 amount) external {
        Votes(address(token)).delegate(address(this));
        governor.castVote(proposalId, 1);
        require(token.transfer(address(lender), amount), "repay");
    }

    function proposeWithLoan(uint256 amount) external {
        lender.flashLoan(amount, abi.encodeCall(this.onLoanPropose, (amount)));
    }

    function onLoanPropose(uint256 amount) external {
        Votes(address(token)).delegate(address(this));
        address[] memory t = new address[](1);
        uint256[] memory v = new uint256[](1);
        bytes[] memory c = new bytes[](1);
        t[0] = address(this);
        governor.propose(t, v, c, "flash proposal");
        require(token.transfer(address(lender), amount), "repay");
    }
}

/// @notice An ERC20Votes token on the default block-number clock.
contract BlockClockToken is ERC20Votes {
    constructor() ERC20("B", "B") EIP712("B", "1") {}
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoreFixture} from "./base/CoreFixture.sol";
import {IDatanetRegistry} from "../../src/interfaces/IDatanetRegistry.sol";

/// @notice The three DatanetRegistry attacks of issue 19 (hostile mempool), each refused: a bond raised under a
/// signed batch, an access fee raised under a purchase, and credit taken by copying a pending contribution.
/// Before the fix the first two succeeded (nothing bounded the bond or the fee) and the copier of a pending batch
/// became the recorded contributor while the original reverted as a duplicate.
contract DatanetRegistryAttacksTest is CoreFixture {
    uint256 internal constant N = 50;
    address internal copier = makeAddr("copier");

    function setUp() public override {
        super.setUp();
        _fund(copier, 1_000_000e18);
        vm.prank(copier);
        open.approve(address(registry), type(uint256).max);
    }

    /* BOND RAISED UNDER A SIGNED BATCH */

    function _signedTerms(uint256 maxBond, bytes32 salt) internal view returns (IDatanetRegistry.BatchTerms memory t) {
        t = IDatanetRegistry.BatchTerms({
            maxBond: maxBond, nonce: registry.batchNonce(contributor), deadline: block.timestamp + 1 hours, salt: salt
        });
    }

    function _sig(uint256 id, bytes memory items, IDatanetRegistry.BatchTerms memory t)
        internal
        view
        returns (bytes memory)
    {
        return _signBatch(contributorPk, contributor, id, items, t.maxBond, t.nonce, t.deadline);
    }

    /// @dev The reported attack: the contributor expects 1 OPEN an item at risk; the owner raises the bond to
    /// MAX_BOND between signing and relaying, appoints itself validator and would reject as malicious.
    function test_contributeBySig_refusesBondRaisedAfterSigning() public {
        uint256 id = _gated();
        bytes memory items = _items(1, N, 1000);
        bytes32 salt = _commitFor(contributor, id, items);
        IDatanetRegistry.BatchTerms memory t = _signedTerms(BOND, salt);
        bytes memory sig = _sig(id, items, t);
        // the owner front-runs the relay
        vm.startPrank(owner);
        registry.setRules(id, _rules(true, registry.MAX_BOND()));
        registry.setValidator(id, owner, true);
        vm.stopPrank();
        uint256 before = open.balanceOf(contributor);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetBondAboveMax.selector, id, registry.MAX_BOND(), BOND)
        );
        vm.prank(relayer);
        registry.contributeBySig(id, contributor, items, t, sig);
        assertEq(open.balanceOf(contributor), before, "nothing charged");
        assertEq(registry.bondedOf(contributor), 0);
        // back at the agreed bond, the same signed batch goes through and risks only what was signed
        vm.prank(owner);
        registry.setRules(id, _rules(true, BOND));
        vm.prank(relayer);
        registry.contributeBySig(id, contributor, items, t, sig);
        vm.prank(owner);
        registry.reject(id, _digests(1, N), IDatanetRegistry.RejectReason.Malicious);
        assertEq(before - open.balanceOf(contributor) - registry.owed(contributor), N * BOND / 2, "lost <= signed");
    }

    function test_contributeBatch_refusesBondAboveMax() public {
        uint256 id = _gated();
        bytes memory items = _items(2, 3, 10);
        bytes32 salt = _commitFor(contributor, id, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBondAboveMax.selector, id, BOND, BOND - 1));
        vm.prank(contributor);
        registry.contributeBatch(id, items, BOND - 1, salt);
        // an open Datanet bonds nothing: any maxBond, even zero, is fine
        uint256 openId = _openDatanet();
        salt = _commitFor(contributor, openId, items);
        vm.prank(contributor);
        registry.contributeBatch(openId, items, 0, salt);
        assertEq(registry.getContribution(openId, _digest(2, 0)).contributor, contributor);
    }

    function testFuzz_contributeBySig_neverChargesAboveSignedMax(uint96 signedMax, uint96 raisedTo) public {
        signedMax = uint96(bound(signedMax, 0, registry.MAX_BOND()));
        raisedTo = uint96(bound(raisedTo, 0, registry.MAX_BOND()));
        uint256 id = _published(_rules(true, 0));
        bytes memory items = _items(3, 4, 10);
        bytes32 salt = _commitFor(contributor, id, items);
        IDatanetRegistry.BatchTerms memory t = _signedTerms(signedMax, salt);
        bytes memory sig = _sig(id, items, t);
        vm.prank(owner);
        registry.setRules(id, _rules(true, raisedTo));
        uint256 before = open.balanceOf(contributor);
        vm.prank(relayer);
        try registry.contributeBySig(id, contributor, items, t, sig) {
            assertLe(raisedTo, signedMax);
        } catch {
            assertGt(raisedTo, signedMax);
        }
        assertLe(before - open.balanceOf(contributor), 4 * uint256(signedMax), "charged above the signed max");
    }

    /* ACCESS FEE RAISED UNDER A PURCHASE */

    function _sold(uint128 fee) internal returns (uint256 id, uint256 v) {
        IDatanetRegistry.Rules memory r = _rules(false, 0);
        r.openAccess = true;
        r.accessFee = fee;
        id = _published(r);
        v = _versionWith(id, 1, 1);
    }

    function test_buyAccess_refusesFeeRaisedUnderPurchase() public {
        (uint256 id, uint256 v) = _sold(10e18);
        // the owner front-runs a 10 OPEN purchase with the largest fee
        IDatanetRegistry.Rules memory r = _rules(false, 0);
        r.openAccess = true;
        r.accessFee = registry.MAX_ACCESS_FEE();
        vm.prank(owner);
        registry.setRules(id, r);
        uint256 before = open.balanceOf(builder);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetFeeAboveMax.selector, id, registry.MAX_ACCESS_FEE(), 10e18)
        );
        vm.prank(builder);
        registry.buyAccess(id, v, 10e18);
        assertEq(open.balanceOf(builder), before);
        assertFalse(registry.hasAccess(id, v, builder));
    }

    function testFuzz_buyAccess_neverPaysAboveMax(uint128 fee, uint256 maxFee) public {
        fee = uint128(bound(fee, 0, registry.MAX_ACCESS_FEE()));
        maxFee = bound(maxFee, 0, 2 * uint256(registry.MAX_ACCESS_FEE()));
        (uint256 id, uint256 v) = _sold(fee);
        uint256 before = open.balanceOf(builder);
        vm.prank(builder);
        try registry.buyAccess(id, v, maxFee) {
            assertTrue(registry.hasAccess(id, v, builder));
        } catch {
            assertGt(fee, maxFee);
        }
        assertLe(before - open.balanceOf(builder), maxFee);
    }

    /* CREDIT TAKEN BY COPYING A PENDING CONTRIBUTION */

    /// @dev The honest contributor's batch: committed by a relayer (gasless) at the current block.
    function _honestCommit(uint256 id, bytes memory items) internal returns (bytes32 salt) {
        salt = keccak256(abi.encode("honest", id, items));
        vm.prank(relayer);
        registry.commitContribution(_commitment(contributor, id, items, salt));
    }

    /// @dev The honest reveal, relayed by anyone.
    function _honestReveal(uint256 id, bytes memory items, bytes32 salt) internal {
        IDatanetRegistry.BatchTerms memory t = _signedTerms(BOND, salt);
        bytes memory sig = _sig(id, items, t);
        vm.prank(makeAddr("any relayer"));
        registry.contributeBySig(id, contributor, items, t, sig);
    }

    function _copierCommit(uint256 id, bytes memory items) internal returns (bytes32 salt) {
        salt = keccak256(abi.encode("copier", id, items));
        vm.prank(copier);
        registry.commitContribution(_commitment(copier, id, items, salt));
    }

    function _copierReveal(uint256 id, bytes memory items, bytes32 salt) internal {
        vm.prank(copier);
        registry.contributeBatch(id, items, BOND, salt);
    }

    function _assertHonestHoldsAll(uint256 id, uint256 seed, uint256 n) internal view {
        for (uint256 i; i < n; ++i) {
            assertEq(registry.getContribution(id, _digest(seed, i)).contributor, contributor, "credit stolen");
        }
    }

    /// @dev Copying the reveal itself (its items and even its salt) is useless: the commitment binds the
    /// contributor, and the copier has none of its own.
    function test_copy_revealWithoutOwnCommitIsRefused() public {
        uint256 id = _gated();
        bytes memory items = _items(4, N, 1000);
        bytes32 salt = _honestCommit(id, items);
        vm.roll(block.number + 1);
        bytes32 copierCommitment = _commitment(copier, id, items, salt);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetRevealNotOpen.selector, copierCommitment, 0));
        vm.prank(copier);
        registry.contributeBatch(id, items, BOND, salt);
        _honestReveal(id, items, salt);
        _assertHonestHoldsAll(id, 4, N);
    }

    /// @dev The copier commits on seeing the reveal in the mempool; the reveal lands in that block; the copier's
    /// reveal a block later is a plain duplicate.
    function test_copy_commitAfterSeeingRevealLosesToOriginal() public {
        uint256 id = _gated();
        bytes memory items = _items(4, N, 1000);
        bytes32 salt = _honestCommit(id, items);
        vm.roll(block.number + 1);
        bytes32 copierSalt = _copierCommit(id, items); // front-runs the reveal in the same block
        _honestReveal(id, items, salt);
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetDuplicate.selector, id, _digest(4, 0)));
        _copierReveal(id, items, copierSalt);
        _assertHonestHoldsAll(id, 4, N);
        assertEq(open.balanceOf(copier), 1_000_000e18, "the copier paid nothing but gas");
    }

    /// @dev The honest reveal is delayed (censored, underpriced): the copier commits and reveals first. The honest
    /// reveal, with the earlier commit, takes every item over; the copier's bonds go to the treasury.
    function test_copy_delayedOriginalTakesOverAndCopierLosesBond() public {
        uint256 id = _gated();
        bytes memory items = _items(4, N, 1000);
        bytes32 salt = _honestCommit(id, items);
        vm.roll(block.number + 1);
        bytes32 copierSalt = _copierCommit(id, items);
        vm.roll(block.number + 1);
        _copierReveal(id, items, copierSalt);
        assertEq(registry.getContribution(id, _digest(4, 0)).contributor, copier);
        assertEq(registry.bondedOf(copier), N * BOND);
        uint256 firstId = registry.getContribution(id, _digest(4, 0)).id;
        vm.roll(block.number + 20);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IDatanetRegistry.ContributionReassigned(
            id, firstId, contributor, copier, _digest(4, 0), IDatanetRegistry.ContributionStatus.Pending, BOND
        );
        _honestReveal(id, items, salt);
        _assertHonestHoldsAll(id, 4, N);
        assertEq(registry.getContribution(id, _digest(4, 0)).id, firstId, "the id is kept");
        assertEq(registry.bondedOf(copier), 0);
        assertEq(registry.owed(copier), 0);
        assertEq(open.balanceOf(copier), 1_000_000e18 - N * BOND, "the copier lost its bonds");
        assertEq(registry.owed(treasury), N * BOND);
        assertEq(registry.bondedOf(contributor), N * BOND);
        assertEq(registry.totalBonded(), N * BOND);
        assertEq(open.balanceOf(address(registry)), registry.totalBonded() + registry.totalOwed());
        // the validator's approval now pays the honest contributor's bonds back
        vm.prank(validator);
        registry.approve(id, _digests(4, N));
        assertEq(registry.owed(contributor), N * BOND);
        assertEq(registry.owed(copier), 0);
    }

    /// @dev A rejected copy does not burn the digest for the earlier committer.
    function test_copy_rejectedCopyDoesNotLockOriginalOut() public {
        uint256 id = _gated();
        bytes memory items = _items(5, 3, 1000);
        bytes32 salt = _honestCommit(id, items);
        vm.roll(block.number + 1);
        bytes32 copierSalt = _copierCommit(id, items);
        vm.roll(block.number + 1);
        _copierReveal(id, items, copierSalt);
        vm.prank(validator);
        registry.reject(id, _digests(5, 3), IDatanetRegistry.RejectReason.Malicious);
        assertEq(registry.owed(copier), 3 * BOND / 2, "the copier's malicious slash");
        vm.roll(block.number + 1);
        _honestReveal(id, items, salt);
        _assertHonestHoldsAll(id, 5, 3);
        assertEq(
            uint8(registry.getContribution(id, _digest(5, 0)).status),
            uint8(IDatanetRegistry.ContributionStatus.Pending),
            "pending again, under the honest contributor"
        );
        vm.prank(validator);
        registry.approve(id, _digests(5, 3));
        assertEq(registry.getDatanet(id).approvedCount, 3);
        assertEq(registry.owed(contributor), 3 * BOND);
    }

    /// @dev On an open Datanet the copy is approved at once; the honest reveal takes it over in place (same id,
    /// same place in approval order, not counted twice).
    function test_copy_openDatanetApprovedCopyTakenOverInPlace() public {
        uint256 id = _openDatanet();
        bytes memory items = _items(6, 4, 1000);
        bytes32 salt = _honestCommit(id, items);
        vm.roll(block.number + 1);
        bytes32 copierSalt = _copierCommit(id, items);
        vm.roll(block.number + 1);
        _copierReveal(id, items, copierSalt);
        assertEq(registry.getDatanet(id).approvedCount, 4);
        uint256 firstId = registry.getContribution(id, _digest(6, 0)).id;
        vm.roll(block.number + 1);
        _honestReveal(id, items, salt);
        _assertHonestHoldsAll(id, 6, 4);
        assertEq(registry.getDatanet(id).approvedCount, 4, "not counted twice");
        assertEq(registry.getContribution(id, _digest(6, 3)).id, firstId + 3);
        assertEq(
            uint8(registry.getContribution(id, _digest(6, 3)).status),
            uint8(IDatanetRegistry.ContributionStatus.Approved)
        );
    }

    /// @dev A partial copy: only the copied digests move; the rest of the honest batch is recorded anew.
    function test_copy_partialCopyOnlyCopiedItemsMove() public {
        uint256 id = _gated();
        bytes memory items = _items(7, 4, 1000);
        bytes32 salt = _honestCommit(id, items);
        vm.roll(block.number + 1);
        bytes memory two = _items(7, 2, 1000);
        bytes32 copierSalt = _copierCommit(id, two);
        vm.roll(block.number + 1);
        _copierReveal(id, two, copierSalt);
        vm.roll(block.number + 1);
        uint256 next = registry.nextContributionId();
        _honestReveal(id, items, salt);
        _assertHonestHoldsAll(id, 7, 4);
        assertEq(registry.getContribution(id, _digest(7, 3)).id, next + 3, "new items keep their batch ids");
        assertEq(registry.bondedOf(contributor), 4 * BOND);
        assertEq(registry.bondedOf(copier), 0);
    }

    /// @dev A later commit never takes over an earlier one, and nobody takes over a digest recorded before their
    /// commit (an old contribution), however the commit blocks' low bits line up.
    function testFuzz_takeover_onlyByEarlierCommitOfARecentRecord(uint16 gap, uint16 age) public {
        uint256 id = _gated();
        bytes memory items = _items(8, 2, 1000);
        // the first contributor commits and reveals
        bytes32 salt = _honestCommit(id, items);
        vm.roll(block.number + 1 + bound(gap, 0, 999));
        _honestReveal(id, items, salt);
        // much later (any age, including multiples of the 2,048-block range) someone else commits the same items
        vm.roll(block.number + bound(age, 0, 10_000));
        bytes32 copierSalt = _copierCommit(id, items);
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetDuplicate.selector, id, _digest(8, 0)));
        _copierReveal(id, items, copierSalt);
        _assertHonestHoldsAll(id, 8, 2);
    }

    /// @dev The copier's best timing, fuzzed: whenever it commits (after the honest commit) and reveals, and
    /// whenever the honest reveal lands within the reveal window, the honest contributor ends with every item
    /// and the copier with nothing: no credit, no bond, nothing owed.
    function testFuzz_copy_copierEndsWithNothing(uint16 copierCommitAfter, uint16 copierRevealAfter, uint16 late)
        public
    {
        uint256 id = _gated();
        bytes memory items = _items(9, 5, 1000);
        uint256 committedAt = block.number;
        bytes32 salt = _honestCommit(id, items);
        vm.roll(block.number + 1 + bound(copierCommitAfter, 0, 400));
        bytes32 copierSalt = _copierCommit(id, items);
        vm.roll(block.number + 1 + bound(copierRevealAfter, 0, 400));
        _copierReveal(id, items, copierSalt);
        vm.roll(block.number + bound(late, 0, committedAt + registry.REVEAL_WINDOW() - block.number));
        _honestReveal(id, items, salt);
        _assertHonestHoldsAll(id, 9, 5);
        assertEq(registry.bondedOf(copier), 0);
        assertEq(registry.owed(copier), 0);
        assertEq(open.balanceOf(copier), 1_000_000e18 - 5 * BOND);
        assertEq(open.balanceOf(address(registry)), registry.totalBonded() + registry.totalOwed());
    }

    /* COMMITMENTS */

    function test_reveal_refusedInCommitBlockAndAfterWindow() public {
        uint256 id = _gated();
        bytes memory items = _items(10, 1, 10);
        bytes32 salt = _honestCommit(id, items);
        bytes32 c = _commitment(contributor, id, items, salt);
        assertEq(registry.commitBlock(c), block.number);
        IDatanetRegistry.BatchTerms memory t = _signedTerms(BOND, salt);
        bytes memory sig = _sig(id, items, t);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetRevealNotOpen.selector, c, block.number));
        registry.contributeBySig(id, contributor, items, t, sig);
        uint256 at = block.number;
        vm.roll(at + registry.REVEAL_WINDOW() + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetRevealNotOpen.selector, c, at));
        registry.contributeBySig(id, contributor, items, t, sig);
        vm.roll(at + registry.REVEAL_WINDOW());
        registry.contributeBySig(id, contributor, items, t, sig);
        assertEq(registry.commitBlock(c), 0, "consumed");
    }

    function test_commitContribution_cannotBeMovedLater() public {
        bytes32 c = keccak256("commitment");
        vm.expectEmit(true, true, false, false, address(registry));
        emit IDatanetRegistry.ContributionCommitted(c, copier);
        vm.prank(copier);
        registry.commitContribution(c);
        vm.roll(block.number + 5);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetCommitExists.selector, c));
        registry.commitContribution(c);
        assertEq(registry.commitBlock(c), block.number - 5);
    }
}

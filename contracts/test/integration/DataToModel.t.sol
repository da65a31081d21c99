// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoreFixture} from "../unit/base/CoreFixture.sol";
import {IDatanetRegistry} from "../../src/interfaces/IDatanetRegistry.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IDatanetAccess} from "../../src/interfaces/IDatanetAccess.sol";

/// @notice The issue-3 path end to end: Datanet -> signed and direct contributions -> validation with bonds ->
/// version (a real StandardMerkleTree root, proofs checked) -> access (granted and bought) -> model NFT ->
/// revenue terms that follow the NFT.
contract DataToModelTest is CoreFixture {
    /// @dev OZ StandardMerkleTree leaf of (id, digest, contributor).
    function _leaf(uint256 id, bytes32 digest, address who) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(id, digest, who))));
    }

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    uint256 internal dn;
    uint256 internal first;
    uint256 internal directId;
    bytes32 internal constant DIRECT = keccak256("direct blob");

    function test_dataToModel_endToEnd() public {
        _contributeAndValidate();
        uint256 v = _publishAndProve();
        _accessMintAndTransfer(v);
        // contributors, validator and treasury withdraw; the registry ends empty
        registry.withdraw(contributor);
        registry.withdraw(validator);
        registry.withdraw(treasury);
        assertEq(open.balanceOf(address(registry)), 0);
        assertEq(registry.totalOwed(), 0);
    }

    function _contributeAndValidate() internal {
        // a validator-gated Datanet with a bond, sold to builders for an access fee
        IDatanetRegistry.Rules memory r = _rules(true, BOND);
        r.openAccess = true;
        r.accessFee = 50e18;
        dn = _published(r);
        // a gasless signed batch (relayed) and a direct contribution
        bytes memory items = _items(11, 3, 2_000);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signBatch(contributorPk, contributor, dn, items, 0, deadline);
        _commitFor(contributor, dn, items);
        vm.prank(relayer);
        first = registry.contributeBySig(dn, contributor, items, _terms(0, deadline), sig);
        _commitFor(contributor, dn, _one(DIRECT, 500));
        vm.prank(contributor);
        directId = registry.contributeBatch(dn, _one(DIRECT, 500), ANY_BOND, _lastSalt);
        assertEq(registry.totalBonded(), 4 * BOND);
        // the validator approves three and rejects one as malicious
        bytes32[] memory ok = new bytes32[](3);
        ok[0] = _digest(11, 0);
        ok[1] = _digest(11, 2);
        ok[2] = DIRECT;
        vm.prank(validator);
        registry.approve(dn, ok);
        bytes32[] memory bad = new bytes32[](1);
        bad[0] = _digest(11, 1);
        vm.prank(validator);
        registry.reject(dn, bad, IDatanetRegistry.RejectReason.Malicious);
        assertEq(registry.totalBonded(), 0);
        assertEq(registry.owed(contributor), 3 * BOND + BOND / 2);
    }

    function _publishAndProve() internal returns (uint256 v) {
        bytes32 l0 = _leaf(first, _digest(11, 0), contributor);
        bytes32 l1 = _leaf(first + 2, _digest(11, 2), contributor);
        bytes32 l2 = _leaf(directId, DIRECT, contributor);
        (bytes32 root, bytes32[][3] memory proofs) = _threeLeafTree(l0, l1, l2);
        vm.prank(owner);
        v = registry.publishVersion(dn, root, 3, "ipfs://bafkversion1");
        assertTrue(registry.verifyContribution(dn, v, first, _digest(11, 0), contributor, proofs[0]));
        assertTrue(registry.verifyContribution(dn, v, first + 2, _digest(11, 2), contributor, proofs[1]));
        assertTrue(registry.verifyContribution(dn, v, directId, DIRECT, contributor, proofs[2]));
        assertFalse(registry.verifyContribution(dn, v, first + 1, _digest(11, 1), contributor, proofs[0]));
        assertFalse(registry.verifyContribution(dn, v + 1, first, _digest(11, 0), contributor, proofs[0]));
    }

    function _accessMintAndTransfer(uint256 v) internal {
        // the builder buys access; the owner receives the fee
        uint256 ownerBefore = open.balanceOf(owner);
        vm.prank(builder);
        registry.buyAccess(dn, v, 50e18);
        assertEq(open.balanceOf(owner) - ownerBefore, 50e18);
        assertTrue(IDatanetAccess(address(registry)).hasAccess(dn, v, builder));
        // the builder mints a model on that version; settlement reads the terms
        vm.prank(builder);
        uint256 modelId = models.mint(_mintParams(dn, v));
        (address holder, uint16 bps, uint256 price) = IModelTerms(address(models)).revenueTerms(modelId);
        assertEq(holder, builder);
        assertEq(bps, 3_000);
        assertEq(price, 1e15);
        // selling the NFT moves the revenue rights
        address buyer = makeAddr("buyer");
        vm.prank(builder);
        models.safeTransferFrom(builder, buyer, modelId);
        (holder,,) = models.revenueTerms(modelId);
        assertEq(holder, buyer);
    }

    /// @dev OpenZeppelin StandardMerkleTree over three leaves: leaves sorted descending by hash fill tree slots
    /// 2..4 of a 5-node array; node 1 = hash(node3, node4), root = hash(node1, node2).
    function _threeLeafTree(bytes32 a, bytes32 b, bytes32 c)
        internal
        pure
        returns (bytes32 root, bytes32[][3] memory proofs)
    {
        bytes32[3] memory s = [a, b, c];
        // sort descending
        for (uint256 i; i < 3; ++i) {
            for (uint256 j = i + 1; j < 3; ++j) {
                if (s[j] > s[i]) (s[i], s[j]) = (s[j], s[i]);
            }
        }
        // tree[4] = s[0], tree[3] = s[1], tree[2] = s[2]
        bytes32 n1 = _hashPair(s[1], s[0]);
        root = _hashPair(n1, s[2]);
        bytes32[3] memory orig = [a, b, c];
        for (uint256 k; k < 3; ++k) {
            if (orig[k] == s[2]) {
                proofs[k] = new bytes32[](1);
                proofs[k][0] = n1;
            } else {
                proofs[k] = new bytes32[](2);
                proofs[k][0] = orig[k] == s[0] ? s[1] : s[0];
                proofs[k][1] = s[2];
            }
        }
    }
}

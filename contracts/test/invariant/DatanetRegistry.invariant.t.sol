// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {DatanetRegistry} from "../../src/data/DatanetRegistry.sol";
import {IDatanetRegistry} from "../../src/interfaces/IDatanetRegistry.sol";

/// @notice Drives the registry with bounded, always-valid actions (it never reverts) and keeps ghost totals.
contract DatanetHandler is Test {
    OpenToken public open;
    DatanetRegistry public registry;
    address public treasury;
    address public owner = makeAddr("inv-owner");
    address[2] public validators = [makeAddr("inv-v1"), makeAddr("inv-v2")];
    uint256[3] internal pks = [uint256(0xA1), 0xA2, 0xA3];
    address[3] public contributors;
    uint256 public gatedId;
    uint256 public openId;

    // ghosts
    uint256 public ghostContributions;
    uint256 public ghostApproved;
    uint256 public ghostBondsIn;
    uint256 public ghostWithdrawn;
    uint256 public ghostSeed;
    bytes32[] internal _pending;
    bytes32[] public versionRoots;
    uint64[] public versionCounts;
    uint256[] public versionDatanets;
    mapping(bytes32 => bool) public seen;
    bool public duplicateAccepted;

    /// @dev A batch committed by an honest contributor and not yet revealed; `copied` once a copier front-ran it.
    struct Honest {
        uint256 who;
        uint256 datanetId;
        bytes items;
        bytes32 salt;
        uint256 committedAt;
        bool copied;
    }

    Honest[] internal _honest;
    uint256 public ghostSaltNonce;
    /// @dev Digests revealed by an honest contributor, and who must hold each (the earliest committer).
    bytes32[] public honestDigests;
    uint256[] public honestDatanets;
    address[] public honestOwners;
    uint256 public ghostReassigned;

    constructor(OpenToken open_, DatanetRegistry registry_, address treasury_) {
        open = open_;
        registry = registry_;
        treasury = treasury_;
        for (uint256 i; i < 3; ++i) {
            contributors[i] = vm.addr(pks[i]);
            vm.prank(treasury);
            open.transfer(contributors[i], 10_000e18);
            vm.prank(contributors[i]);
            open.approve(address(registry), type(uint256).max);
        }
        vm.prank(treasury);
        open.transfer(owner, 10_000e18);
        vm.startPrank(owner);
        open.approve(address(registry), type(uint256).max);
        IDatanetRegistry.Rules memory r = IDatanetRegistry.Rules(1_000_000, 1_000_000_000, 1e18, true, false, false, 0);
        gatedId = registry.createDatanet("g", IDatanetRegistry.DataType.Text, 1, r);
        registry.publishDatanet(gatedId);
        registry.setValidator(gatedId, validators[0], true);
        registry.setValidator(gatedId, validators[1], true);
        r.validatorGated = false;
        r.bond = 0;
        openId = registry.createDatanet("o", IDatanetRegistry.DataType.Code, 1, r);
        registry.publishDatanet(openId);
        vm.stopPrank();
    }

    function _items(uint256 n, uint256 size) internal returns (bytes memory out, bytes32[] memory ds) {
        ds = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 d = keccak256(abi.encode("inv", ++ghostSeed));
            ds[i] = d;
            out = bytes.concat(out, abi.encodePacked(d, uint64(size)));
        }
    }

    function _record(uint256 datanetId, bytes32[] memory ds) internal {
        for (uint256 i; i < ds.length; ++i) {
            bytes32 k = keccak256(abi.encode(datanetId, ds[i]));
            seen[k] = true;
            if (datanetId == gatedId) _pending.push(ds[i]);
        }
        ghostContributions += ds.length;
        if (datanetId == openId) ghostApproved += ds.length;
    }

    /// @dev Commits `items` for `who` (posted by `poster`) with a fresh salt and mines a block.
    function _commit(address who, address poster, uint256 datanetId, bytes memory items)
        internal
        returns (bytes32 salt)
    {
        salt = keccak256(abi.encode("inv-salt", ++ghostSaltNonce));
        vm.prank(poster);
        registry.commitContribution(keccak256(abi.encode(who, datanetId, keccak256(items), salt)));
        vm.roll(block.number + 1);
    }

    function _fits(uint256 who, uint256 id, uint256 n, uint256 size) internal view returns (bool) {
        uint256 bond = id == gatedId ? registry.getDatanet(id).rules.bond : 0;
        return registry.dailyBytes(id, contributors[who]) + n * size <= 1_000_000_000
            && open.balanceOf(contributors[who]) >= bond * n;
    }

    function contributeBatch(uint256 who, uint256 n, uint256 size, bool gated) external {
        who = bound(who, 0, 2);
        n = bound(n, 1, 8);
        size = bound(size, 1, 1_000_000);
        uint256 id = gated ? gatedId : openId;
        (bytes memory items, bytes32[] memory ds) = _items(n, size);
        uint256 bond = registry.getDatanet(id).rules.bond;
        if (!_fits(who, id, n, size)) return;
        bytes32 salt = _commit(contributors[who], contributors[who], id, items);
        vm.prank(contributors[who]);
        registry.contributeBatch(id, items, bond, salt);
        if (gated) ghostBondsIn += bond * n;
        _record(id, ds);
    }

    /// @dev An honest contributor commits a batch (its reveal waits in the mempool).
    function commitHonest(uint256 who, uint256 n, bool gated) external {
        who = bound(who, 0, 2);
        n = bound(n, 1, 8);
        uint256 id = gated ? gatedId : openId;
        (bytes memory items,) = _items(n, 1000);
        bytes32 salt = _commit(contributors[who], address(this), id, items);
        _honest.push(Honest(who, id, items, salt, block.number - 1, false));
    }

    /// @dev A copier reads a pending honest reveal from the mempool, commits the same items as its own and, the
    /// honest reveal being delayed, reveals first.
    function copyAndFrontRun(uint256 idx, uint256 copierSel) external {
        if (_honest.length == 0) return;
        Honest storage h = _honest[bound(idx, 0, _honest.length - 1)];
        if (h.copied) return;
        uint256 copier = (h.who + 1 + bound(copierSel, 0, 1)) % 3;
        uint256 n = h.items.length / 40;
        if (!_fits(copier, h.datanetId, n, 1000)) return;
        uint256 bond = registry.getDatanet(h.datanetId).rules.bond;
        bytes32 salt = _commit(contributors[copier], contributors[copier], h.datanetId, h.items);
        vm.prank(contributors[copier]);
        registry.contributeBatch(h.datanetId, h.items, bond, salt);
        h.copied = true;
        if (h.datanetId == gatedId) ghostBondsIn += bond * n;
        bytes32[] memory ds = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            ds[i] = bytes32(_slice(h.items, i * 40));
        }
        _record(h.datanetId, ds);
    }

    /// @dev The honest reveal lands, relayed by anyone (gasless signed path): it takes over what a copier took.
    function revealHonest(uint256 idx, address relayer) external {
        if (_honest.length == 0) return;
        uint256 i0 = bound(idx, 0, _honest.length - 1);
        Honest memory h = _honest[i0];
        _honest[i0] = _honest[_honest.length - 1];
        _honest.pop();
        uint256 n = h.items.length / 40;
        if (block.number > h.committedAt + registry.REVEAL_WINDOW() || !_fits(h.who, h.datanetId, n, 1000)) return;
        uint256 bond = registry.getDatanet(h.datanetId).rules.bond;
        address who = contributors[h.who];
        uint256 kept;
        uint256 fresh;
        bytes32[] memory ds = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            ds[i] = bytes32(_slice(h.items, i * 40));
            IDatanetRegistry.ContributionStatus st = registry.getContribution(h.datanetId, ds[i]).status;
            if (st == IDatanetRegistry.ContributionStatus.Approved) ++kept;
            // a rejected copy is pending again under the honest contributor
            if (st == IDatanetRegistry.ContributionStatus.Rejected && h.datanetId == gatedId) _pending.push(ds[i]);
            if (st == IDatanetRegistry.ContributionStatus.None) ++fresh;
        }
        IDatanetRegistry.BatchTerms memory t = IDatanetRegistry.BatchTerms({
            maxBond: bond, nonce: registry.batchNonce(who), deadline: block.timestamp, salt: h.salt
        });
        bytes memory sig = _sign(h.who, h.datanetId, h.items, t);
        vm.prank(relayer);
        registry.contributeBySig(h.datanetId, who, h.items, t, sig);
        ghostContributions += n;
        ghostReassigned += n - fresh;
        if (h.datanetId == gatedId) {
            ghostBondsIn += bond * (n - kept);
            for (uint256 i; i < n; ++i) {
                if (registry.getContribution(gatedId, ds[i]).id >= registry.nextContributionId() - n) {
                    _pending.push(ds[i]);
                }
            }
        } else {
            ghostApproved += n - kept;
        }
        for (uint256 i; i < n; ++i) {
            seen[keccak256(abi.encode(h.datanetId, ds[i]))] = true;
            honestDigests.push(ds[i]);
            honestDatanets.push(h.datanetId);
            honestOwners.push(who);
        }
    }

    function _slice(bytes memory b, uint256 off) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(b, 32), off))
        }
    }

    function honestCount() external view returns (uint256) {
        return honestDigests.length;
    }

    function _sign(uint256 who, uint256 datanetId, bytes memory items, IDatanetRegistry.BatchTerms memory t)
        internal
        view
        returns (bytes memory)
    {
        bytes32 h = registry.contributionBatchDigest(
            contributors[who], datanetId, keccak256(items), t.maxBond, t.nonce, t.deadline
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pks[who], h);
        return abi.encodePacked(r, s, v);
    }

    function contributeBySig(uint256 who, uint256 n, address relayer) external {
        who = bound(who, 0, 2);
        n = bound(n, 1, 8);
        (bytes memory items, bytes32[] memory ds) = _items(n, 1000);
        uint256 bond = registry.getDatanet(gatedId).rules.bond;
        if (!_fits(who, gatedId, n, 1000)) return;
        // the relayer posts the commitment, then (a block later) the signed batch
        IDatanetRegistry.BatchTerms memory t = IDatanetRegistry.BatchTerms({
            maxBond: bond,
            nonce: registry.batchNonce(contributors[who]),
            deadline: block.timestamp + 1,
            salt: _commit(contributors[who], relayer, gatedId, items)
        });
        bytes memory sig = _sign(who, gatedId, items, t);
        vm.prank(relayer);
        registry.contributeBySig(gatedId, contributors[who], items, t, sig);
        ghostBondsIn += bond * n;
        _record(gatedId, ds);
    }

    /// @dev Re-submitting a known digest must always be refused (and change nothing).
    function duplicate(uint256 idx) external {
        if (_pending.length == 0) return;
        bytes32 d = _pending[bound(idx, 0, _pending.length - 1)];
        uint256 before = registry.nextContributionId();
        address holder = registry.getContribution(gatedId, d).contributor;
        address other = contributors[0] == holder ? contributors[1] : contributors[0];
        bytes memory item = abi.encodePacked(d, uint64(1));
        bytes32 salt = _commit(other, other, gatedId, item);
        vm.prank(other);
        try registry.contributeBatch(gatedId, item, type(uint256).max, salt) {
            duplicateAccepted = true;
        } catch {}
        if (registry.nextContributionId() != before) duplicateAccepted = true;
        if (registry.getContribution(gatedId, d).contributor != holder) duplicateAccepted = true;
    }

    function validate(uint256 count, uint256 validator, uint8 mode) external {
        if (_pending.length == 0) return;
        count = bound(count, 1, _pending.length < 10 ? _pending.length : 10);
        bytes32[] memory ds = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            ds[i] = _pending[_pending.length - 1];
            _pending.pop();
        }
        address v = validators[bound(validator, 0, 1)];
        mode = uint8(bound(mode, 0, 4));
        vm.prank(v);
        if (mode == 0) {
            registry.approve(gatedId, ds);
            ghostApproved += count;
        } else {
            registry.reject(gatedId, ds, IDatanetRegistry.RejectReason(mode));
        }
    }

    function withdraw(uint256 who) external {
        address[6] memory all =
            [contributors[0], contributors[1], contributors[2], validators[0], validators[1], treasury];
        address a = all[bound(who, 0, 5)];
        uint256 amount = registry.owed(a);
        if (amount == 0) return;
        registry.withdraw(a);
        ghostWithdrawn += amount;
    }

    function publishVersion(bool gated, bytes32 root) external {
        uint256 id = gated ? gatedId : openId;
        uint64 count = registry.getDatanet(id).approvedCount;
        if (count == 0 || root == bytes32(0)) return;
        vm.prank(owner);
        uint256 v = registry.publishVersion(id, root, count, "cid");
        versionRoots.push(root);
        versionCounts.push(count);
        versionDatanets.push(id * 1e9 + v);
    }

    function changeBond(uint96 bond) external {
        bond = uint96(bound(bond, 0, 5e18));
        vm.prank(owner);
        registry.setRules(gatedId, IDatanetRegistry.Rules(1_000_000, 1_000_000_000, bond, true, false, false, 0));
    }

    function nextDay() external {
        vm.warp(block.timestamp + 1 days);
    }

    function versionCount() external view returns (uint256) {
        return versionRoots.length;
    }
}

contract DatanetRegistryInvariantTest is Test {
    OpenToken internal open;
    DatanetRegistry internal registry;
    DatanetHandler internal handler;
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        vm.warp(1_800_000_000);
        open = new OpenToken(treasury);
        registry = new DatanetRegistry(open, makeAddr("governance"), treasury);
        handler = new DatanetHandler(open, registry, treasury);
        targetContract(address(handler));
    }

    // Foundry runs one fuzz campaign per invariant function, so related properties share a function (CI time).

    /// @dev Money: bonds held == the registry's OPEN balance minus what is owed out; the balance equals the ghost
    /// flows (bonds in - withdrawals); per-account bonded and owed amounts sum to the totals.
    function invariant_bondsEqualBalanceMinusOwed() public view {
        assertEq(registry.totalBonded(), open.balanceOf(address(registry)) - registry.totalOwed());
        assertEq(open.balanceOf(address(registry)), handler.ghostBondsIn() - handler.ghostWithdrawn());
        uint256 bonded;
        uint256 owed;
        for (uint256 i; i < 3; ++i) {
            bonded += registry.bondedOf(handler.contributors(i));
            owed += registry.owed(handler.contributors(i));
        }
        owed += registry.owed(handler.validators(0)) + registry.owed(handler.validators(1)) + registry.owed(treasury);
        assertEq(bonded, registry.totalBonded());
        assertEq(owed, registry.totalOwed());
    }

    /// @dev No contribution counted twice: ids are taken once per revealed item, approvals match, a known digest
    /// was never accepted again by a later committer, and every digest copied from a pending honest batch ends
    /// with the honest (earlier) committer: no digest is credited to two contributors, nor to the copier.
    function invariant_noContributionCountedTwice() public view {
        assertEq(registry.nextContributionId() - 1, handler.ghostContributions());
        uint256 h = handler.honestCount();
        for (uint256 i; i < h; ++i) {
            assertEq(
                registry.getContribution(handler.honestDatanets(i), handler.honestDigests(i)).contributor,
                handler.honestOwners(i),
                "copied digest must stay with the earlier committer"
            );
        }
        uint256 approved =
            registry.getDatanet(handler.gatedId()).approvedCount + registry.getDatanet(handler.openId()).approvedCount;
        assertEq(approved, handler.ghostApproved());
        assertFalse(handler.duplicateAccepted());
    }

    /// @dev Published versions never change, and OPEN's supply never changes.
    function invariant_versionsImmutableAndSupplyConstant() public view {
        uint256 n = handler.versionCount();
        for (uint256 i; i < n; ++i) {
            uint256 key = handler.versionDatanets(i);
            IDatanetRegistry.Version memory v = registry.getVersion(key / 1e9, key % 1e9);
            assertEq(v.root, handler.versionRoots(i));
            assertEq(v.count, handler.versionCounts(i));
        }
        assertEq(open.totalSupply(), 1_000_000_000e18);
    }
}

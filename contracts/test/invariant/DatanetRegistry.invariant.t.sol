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

    function contributeBatch(uint256 who, uint256 n, uint256 size, bool gated) external {
        who = bound(who, 0, 2);
        n = bound(n, 1, 8);
        size = bound(size, 1, 1_000_000);
        uint256 id = gated ? gatedId : openId;
        (bytes memory items, bytes32[] memory ds) = _items(n, size);
        uint256 bond = registry.getDatanet(id).rules.bond;
        if (registry.dailyBytes(id, contributors[who]) + n * size > 1_000_000_000) return;
        if (gated && open.balanceOf(contributors[who]) < bond * n) return;
        vm.prank(contributors[who]);
        registry.contributeBatch(id, items);
        if (gated) ghostBondsIn += bond * n;
        _record(id, ds);
    }

    function contributeBySig(uint256 who, uint256 n, address relayer) external {
        who = bound(who, 0, 2);
        n = bound(n, 1, 8);
        (bytes memory items, bytes32[] memory ds) = _items(n, 1000);
        uint256 bond = registry.getDatanet(gatedId).rules.bond;
        if (open.balanceOf(contributors[who]) < bond * n) return;
        if (registry.dailyBytes(gatedId, contributors[who]) + n * 1000 > 1_000_000_000) return;
        uint256 nonce = registry.batchNonce(contributors[who]);
        uint256 deadline = block.timestamp + 1;
        bytes32 h = registry.contributionBatchDigest(contributors[who], gatedId, keccak256(items), nonce, deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pks[who], h);
        vm.prank(relayer);
        registry.contributeBySig(gatedId, contributors[who], items, nonce, deadline, abi.encodePacked(r, s, v));
        ghostBondsIn += bond * n;
        _record(gatedId, ds);
    }

    /// @dev Re-submitting a known digest must always be refused (and change nothing).
    function duplicate(uint256 idx) external {
        if (_pending.length == 0) return;
        bytes32 d = _pending[bound(idx, 0, _pending.length - 1)];
        uint256 before = registry.nextContributionId();
        vm.prank(contributors[0]);
        try registry.contribute(gatedId, d, 1) {
            duplicateAccepted = true;
        } catch {}
        if (registry.nextContributionId() != before) duplicateAccepted = true;
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

    /// @dev No contribution counted twice: ids are dense and match recorded items, approvals match, and a known
    /// digest was never accepted again.
    function invariant_noContributionCountedTwice() public view {
        assertEq(registry.nextContributionId() - 1, handler.ghostContributions());
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

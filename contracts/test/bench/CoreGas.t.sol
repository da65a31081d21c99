// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";
import {Vm} from "forge-std/Vm.sol";
import {CoreFixture} from "../unit/base/CoreFixture.sol";
import {IsolatedBench} from "./IsolatedBench.sol";
import {IDatanetRegistry} from "../../src/interfaces/IDatanetRegistry.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";

/// @notice Gas of the foundation contracts' actions (issue 3). Run with `--isolate` so each call is its own
/// transaction (cold storage, refunds applied). In that mode `vm.lastCallGas()` (like the gas report) counts the
/// whole transaction; PROTOCOL.md measures execution gas, so the 21,000 intrinsic and the calldata gas
/// (4 per zero byte, 16 per non-zero byte) are taken off. Each line logs: execution gas, calldata bytes, tx gas.
/// Targets are asserted on execution gas. A plain `forge test` skips the suite (see {IsolatedBench}).
contract CoreGasBench is CoreFixture {
    uint256 internal constant BATCH = 100;
    uint256 internal constant TARGET_PER_ITEM = 28_000;
    uint256 internal constant TARGET_CALLDATA_PER_ITEM = 120;
    uint256 internal constant TARGET_MINT = 250_000;

    uint256 internal constant INTRINSIC = 21_000;

    function setUp() public override {
        IsolatedBench.skipUnlessIsolated("node bench/core-gas.mjs");
        super.setUp();
    }

    /// @dev Transaction gas of the previous call.
    function _gas() internal view returns (uint256) {
        Vm.Gas memory g = vm.lastCallGas();
        return g.gasTotalUsed;
    }

    function _calldataGas(bytes memory cd) internal pure returns (uint256 g) {
        for (uint256 i; i < cd.length; ++i) {
            g += cd[i] == 0 ? 4 : 16;
        }
    }

    /// @dev Execution gas of the previous call, whose calldata was `cd`.
    function _exec(bytes memory cd) internal view returns (uint256) {
        return _gas() - INTRINSIC - _calldataGas(cd);
    }

    function _report(string memory name, uint256 exec, uint256 calldataBytes) internal pure {
        console.log(string.concat("GAS ", name), exec, calldataBytes);
    }

    string internal constant META = "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    function test_gas_createDatanet() public {
        IDatanetRegistry.Rules memory r = _rules(true, BOND);
        bytes memory cd = abi.encodeCall(registry.createDatanet, (META, IDatanetRegistry.DataType.Text, 50_000_000, r));
        vm.prank(owner);
        registry.createDatanet(META, IDatanetRegistry.DataType.Text, 50_000_000, r);
        _report("createDatanet (66-char URI)", _exec(cd), cd.length);
        cd = abi.encodeCall(registry.publishDatanet, (1));
        vm.prank(owner);
        registry.publishDatanet(1);
        _report("publishDatanet (fee to treasury)", _exec(cd), cd.length);
    }

    /// @dev Commits `items` for `who` (posted by `poster`), mines a block; returns the commit's execution gas and
    /// calldata bytes. Every contribution is a commit and a reveal (IDatanetRegistry.commitContribution).
    function _commitGas(address who, address poster, uint256 id, bytes memory items)
        internal
        returns (uint256 exec, uint256 cdLen, bytes32 salt)
    {
        salt = keccak256(abi.encode(id, items));
        bytes32 c = _commitment(who, id, items, salt);
        bytes memory cd = abi.encodeCall(registry.commitContribution, (c));
        vm.prank(poster);
        registry.commitContribution(c);
        exec = _exec(cd);
        cdLen = cd.length;
        vm.roll(block.number + 1);
    }

    /// @dev One item contributed directly: commit + reveal execution gas.
    function _direct(uint256 id, bytes32 digest) internal returns (uint256 exec) {
        bytes memory item = _one(digest, 1000);
        (uint256 commitExec,, bytes32 salt) = _commitGas(contributor, contributor, id, item);
        bytes memory cd = abi.encodeCall(registry.contributeBatch, (id, item, BOND, salt));
        vm.prank(contributor);
        registry.contributeBatch(id, item, BOND, salt);
        exec = commitExec + _exec(cd);
    }

    function test_gas_contributeDirect() public {
        uint256 id = _gated();
        _report("contribute 1 direct (commit + reveal), gated+bond, contributor's first", _direct(id, "first"), 0);
        _report("contribute 1 direct (commit + reveal), gated+bond", _direct(id, "one"), 0);
        uint256 openId = _openDatanet();
        _direct(openId, "w");
        _report("contribute 1 direct (commit + reveal), open Datanet", _direct(openId, "one"), 0);
    }

    /// @dev A signed batch: the relayer commits, then reveals a block later. `exec` sums both transactions'
    /// execution gas; `cdLen` is the reveal's calldata; `commitTx` is the commit's whole transaction gas.
    function _signedBatch(uint256 id, uint256 seed, uint256 nonce)
        internal
        returns (uint256 exec, uint256 cdLen, uint256 commitTx)
    {
        bytes memory items = _items(seed, BATCH, 1000);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signBatch(contributorPk, contributor, id, items, BOND, nonce, deadline);
        (uint256 commitExec, uint256 commitCd, bytes32 salt) = _commitGas(contributor, relayer, id, items);
        commitTx = commitExec + INTRINSIC + 16 * commitCd;
        IDatanetRegistry.BatchTerms memory t =
            IDatanetRegistry.BatchTerms({maxBond: BOND, nonce: nonce, deadline: deadline, salt: salt});
        bytes memory cd = abi.encodeCall(registry.contributeBySig, (id, contributor, items, t, sig));
        vm.prank(relayer);
        registry.contributeBySig(id, contributor, items, t, sig);
        exec = commitExec + _exec(cd);
        cdLen = cd.length;
    }

    function test_gas_contributeBySig100() public {
        uint256 id = _gated();
        (uint256 first, uint256 cd, uint256 commitTx) = _signedBatch(id, 1, 0);
        _report("signed 100-batch gated+bond, contributor's first (commit + reveal): total", first, cd);
        _report(
            "signed 100-batch gated+bond, contributor's first (commit + reveal): per item", first / BATCH, cd / BATCH
        );
        _report("  of which the commit transaction, whole (with 21,000 intrinsic)", commitTx, 0);
        (uint256 second,,) = _signedBatch(id, 2, 1);
        _report("signed 100-batch gated+bond, steady (commit + reveal): per item", second / BATCH, cd / BATCH);
        assertLe(first / BATCH, TARGET_PER_ITEM, "per-item gas target");
        assertLe(cd / BATCH, TARGET_CALLDATA_PER_ITEM, "per-item calldata target");
        uint256 openId = _openDatanet();
        (uint256 o,,) = _signedBatch(openId, 3, 2);
        _report("signed 100-batch open Datanet: per item", o / BATCH, cd / BATCH);
        assertLe(o / BATCH, TARGET_PER_ITEM, "per-item gas target (open)");
    }

    function test_gas_approve100() public {
        uint256 id = _gated();
        _contributeAs(contributor, id, _items(1, BATCH, 1000));
        bytes32[] memory d = _digests(1, BATCH);
        bytes memory cd = abi.encodeCall(registry.approve, (id, d));
        vm.prank(validator);
        registry.approve(id, d);
        uint256 g = _exec(cd);
        _report("approve 100: total", g, cd.length);
        _report("approve 100: per item", g / BATCH, cd.length / BATCH);
        _contributeAs(contributor, id, _items(2, BATCH, 1000));
        d = _digests(2, BATCH);
        cd = abi.encodeCall(registry.reject, (id, d, IDatanetRegistry.RejectReason.Malicious));
        vm.prank(validator);
        registry.reject(id, d, IDatanetRegistry.RejectReason.Malicious);
        _report("reject 100 as malicious: total", _exec(cd), cd.length);
    }

    function test_gas_publishVersion_constantInContributions() public {
        uint256 id = _openDatanet();
        _contributeAs(contributor, id, _items(1, 10, 100));
        bytes memory cd = abi.encodeCall(registry.publishVersion, (id, keccak256("r1"), 10, META));
        vm.prank(owner);
        registry.publishVersion(id, keccak256("r1"), 10, META);
        uint256 small = _exec(cd);
        for (uint256 s = 2; s < 12; ++s) {
            _contributeAs(contributor, id, _items(s, 100, 100));
        }
        cd = abi.encodeCall(registry.publishVersion, (id, keccak256("r2"), 1010, META));
        vm.prank(owner);
        registry.publishVersion(id, keccak256("r2"), 1010, META);
        uint256 large = _exec(cd);
        _report("publishVersion over 10 contributions", small, cd.length);
        _report("publishVersion over 1010 contributions", large, cd.length);
        // O(1): a version over 1010 contributions costs the same as one over 10 (same slots written)
        assertApproxEqAbs(large, small, 100, "publishVersion must not grow with contributions");
    }

    function test_gas_grantAccess() public {
        uint256 id = _openDatanet();
        uint256 v = _versionWith(id, 1, 3);
        bytes memory cd = abi.encodeCall(registry.requestAccess, (id, v));
        vm.prank(builder);
        registry.requestAccess(id, v);
        _report("requestAccess", _exec(cd), cd.length);
        cd = abi.encodeCall(registry.grantAccess, (id, v, builder));
        vm.prank(owner);
        registry.grantAccess(id, v, builder);
        _report("grantAccess", _exec(cd), cd.length);
    }

    function test_gas_mintModel() public {
        uint256 id = _openDatanet();
        uint256 v = _versionWith(id, 1, 3);
        vm.prank(owner);
        registry.grantAccess(id, v, builder);
        IModelRegistry.MintParams memory p = _mintParams(id, v);
        bytes memory cd = abi.encodeCall(models.mint, (p));
        vm.prank(builder);
        models.mint(p);
        uint256 g = _exec(cd);
        _report("mint model NFT (1 dataset, metadata digest)", g, cd.length);
        assertLe(g, TARGET_MINT, "mint target");
        cd = abi.encodeCall(models.setPrice, (1, 2e15));
        vm.prank(builder);
        models.setPrice(1, 2e15);
        _report("setPrice", _exec(cd), cd.length);
        cd = abi.encodeCall(models.publishRevision, (1, keccak256("a2"), keccak256("m2")));
        vm.prank(builder);
        models.publishRevision(1, keccak256("a2"), keccak256("m2"));
        _report("publishRevision", _exec(cd), cd.length);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {OpenToken} from "../../../src/token/OpenToken.sol";
import {DatanetRegistry} from "../../../src/data/DatanetRegistry.sol";
import {ModelRegistry} from "../../../src/models/ModelRegistry.sol";
import {IDatanetRegistry} from "../../../src/interfaces/IDatanetRegistry.sol";
import {IModelRegistry} from "../../../src/interfaces/IModelRegistry.sol";

/// @notice Shared deployment and helpers for the foundation contracts' tests.
abstract contract CoreFixture is Test {
    OpenToken internal open;
    DatanetRegistry internal registry;
    ModelRegistry internal models;

    address internal treasury = makeAddr("treasury");
    address internal governance = makeAddr("governance");
    address internal owner = makeAddr("owner");
    address internal validator = makeAddr("validator");
    address internal builder = makeAddr("builder");
    uint256 internal contributorPk = 0xC0FFEE;
    address internal contributor;
    address internal relayer = makeAddr("relayer");

    uint96 internal constant BOND = 1e18;
    /// @dev A maxBond that accepts any bond the registry allows (tests not about the bound).
    uint256 internal constant ANY_BOND = 1_000e18;

    /// @dev The salt of the last commitment made by {_commitFor}.
    bytes32 internal _lastSalt;
    uint256 private _saltNonce;

    function setUp() public virtual {
        vm.warp(1_800_000_000);
        contributor = vm.addr(contributorPk);
        open = new OpenToken(treasury);
        registry = new DatanetRegistry(open, governance, treasury);
        models = new ModelRegistry(open, registry, governance, treasury);
        _fund(owner, 1_000_000e18);
        _fund(contributor, 1_000_000e18);
        _fund(builder, 1_000_000e18);
        vm.prank(owner);
        open.approve(address(registry), type(uint256).max);
        vm.prank(contributor);
        open.approve(address(registry), type(uint256).max);
        vm.prank(builder);
        open.approve(address(registry), type(uint256).max);
    }

    function _fund(address to, uint256 amount) internal {
        vm.prank(treasury);
        open.transfer(to, amount);
    }

    function _rules(bool gated, uint96 bond) internal pure returns (IDatanetRegistry.Rules memory r) {
        r = IDatanetRegistry.Rules({
            maxItemSize: 0,
            dailyLimit: 0,
            bond: bond,
            validatorGated: gated,
            acceptStakedValidators: false,
            openAccess: false,
            accessFee: 0
        });
    }

    /// @dev A Published Datanet owned by `owner`, with `validator` appointed when gated.
    function _published(IDatanetRegistry.Rules memory r) internal returns (uint256 id) {
        vm.startPrank(owner);
        id = registry.createDatanet("ipfs://bafkmeta", IDatanetRegistry.DataType.Text, 50_000_000, r);
        registry.publishDatanet(id);
        if (r.validatorGated) registry.setValidator(id, validator, true);
        vm.stopPrank();
    }

    function _gated() internal returns (uint256) {
        return _published(_rules(true, BOND));
    }

    function _openDatanet() internal returns (uint256) {
        return _published(_rules(false, 0));
    }

    function _digest(uint256 seed, uint256 i) internal pure returns (bytes32) {
        // keccak, not sha256: a precompile call would consume a pending vm.prank / expectRevert.
        return keccak256(abi.encodePacked("item", seed, i));
    }

    /// @dev `n` packed items (digest, uint64 size) with distinct digests from `seed`.
    function _items(uint256 seed, uint256 n, uint64 size) internal pure returns (bytes memory out) {
        for (uint256 i; i < n; ++i) {
            out = bytes.concat(out, abi.encodePacked(_digest(seed, i), size));
        }
    }

    function _digests(uint256 seed, uint256 n) internal pure returns (bytes32[] memory d) {
        d = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            d[i] = _digest(seed, i);
        }
    }

    /// @dev One packed item.
    function _one(bytes32 digest, uint64 size) internal pure returns (bytes memory) {
        return abi.encodePacked(digest, size);
    }

    /// @dev The commitment of `who` to `items` on `datanetId` with `salt` (IDatanetRegistry.commitContribution).
    function _commitment(address who, uint256 datanetId, bytes memory items, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(who, datanetId, keccak256(items), salt));
    }

    /// @dev Commits `items` for `who` with a fresh salt (kept in `_lastSalt`) and mines one block, so that the next
    /// call may reveal them.
    function _commitFor(address who, uint256 datanetId, bytes memory items) internal returns (bytes32 salt) {
        salt = keccak256(abi.encode("salt", ++_saltNonce));
        _lastSalt = salt;
        registry.commitContribution(_commitment(who, datanetId, items, salt));
        vm.roll(block.number + 1);
    }

    /// @dev Commits and reveals `items` as `who` (direct path, any bond).
    function _contributeAs(address who, uint256 datanetId, bytes memory items) internal returns (uint256 firstId) {
        bytes32 salt = _commitFor(who, datanetId, items);
        vm.prank(who);
        firstId = registry.contributeBatch(datanetId, items, ANY_BOND, salt);
    }

    /// @dev Signed terms with any bond and the last commitment's salt.
    function _terms(uint256 nonce, uint256 deadline) internal view returns (IDatanetRegistry.BatchTerms memory) {
        return IDatanetRegistry.BatchTerms({maxBond: ANY_BOND, nonce: nonce, deadline: deadline, salt: _lastSalt});
    }

    function _signBatch(uint256 pk, address who, uint256 datanetId, bytes memory items, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        return _signBatch(pk, who, datanetId, items, ANY_BOND, nonce, deadline);
    }

    function _signBatch(
        uint256 pk,
        address who,
        uint256 datanetId,
        bytes memory items,
        uint256 maxBond,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes memory) {
        bytes32 h = registry.contributionBatchDigest(who, datanetId, keccak256(items), maxBond, nonce, deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, h);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Contributes `n` items, approves them all and publishes a version over them; returns the version id.
    function _versionWith(uint256 datanetId, uint256 seed, uint256 n) internal returns (uint256 versionId) {
        _contributeAs(contributor, datanetId, _items(seed, n, 1000));
        if (registry.getDatanet(datanetId).rules.validatorGated) {
            vm.prank(validator);
            registry.approve(datanetId, _digests(seed, n));
        }
        uint64 count = registry.getDatanet(datanetId).approvedCount;
        vm.prank(owner);
        versionId = registry.publishVersion(datanetId, keccak256(abi.encode(seed, count)), count, "ipfs://bafkversion");
    }

    function _mintParams(uint256 datanetId, uint256 versionId)
        internal
        pure
        returns (IModelRegistry.MintParams memory p)
    {
        IModelRegistry.DatasetRef[] memory ds = new IModelRegistry.DatasetRef[](1);
        ds[0] = IModelRegistry.DatasetRef(datanetId, versionId);
        p = IModelRegistry.MintParams({
            baseModelDigest: keccak256("base.gguf"),
            adapterDigest: keccak256("adapter.gguf"),
            manifestDigest: keccak256("manifest.json"),
            datasets: ds,
            pricePer1kTokens: 1e15,
            ownerBps: 3_000,
            // sha256("lineage model metadata")
            metadataDigest: 0xf57283de4b100addd4ac7fa5b71758f0e8c001443d9de679d33aebbd5052f94e
        });
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoreFixture} from "./base/CoreFixture.sol";
import {IDatanetRegistry} from "../../src/interfaces/IDatanetRegistry.sol";
import {DatanetRegistry} from "../../src/data/DatanetRegistry.sol";
import {IOperatorStaking} from "../../src/interfaces/IOperatorStaking.sol";
import {OperatorRole} from "../../src/types/Roles.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {stdStorage, StdStorage} from "forge-std/Test.sol";

/// @dev A staking registry stand-in with the real interface: answers isActiveOperator from a table.
contract StakingStandIn is IOperatorStaking {
    mapping(address => mapping(OperatorRole => bool)) public active;

    function set(address op, OperatorRole role, bool on) external {
        active[op][role] = on;
    }

    function isActiveOperator(address operator, OperatorRole role) external view returns (bool) {
        return active[operator][role];
    }

    function notifyReward(address, uint256) external pure {}

    function getPastStakedVotes(address, uint256) external pure returns (uint256) {
        return 0;
    }

    function getPastTotalStaked(uint256) external pure returns (uint256) {
        return 0;
    }
}

/// @dev A minimal ERC-1271 smart account: valid signatures are its owner's ECDSA signatures.
contract SmartAccount {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata sig) external view returns (bytes4) {
        (bytes32 r, bytes32 s) = abi.decode(sig[:64], (bytes32, bytes32));
        address signer = ecrecover(hash, uint8(sig[64]), r, s);
        return signer == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }

    function approve(IERC20 token, address spender) external {
        token.approve(spender, type(uint256).max);
    }
}

contract DatanetRegistryTest is CoreFixture {
    using stdStorage for StdStorage;
    /* CONSTRUCTOR */

    function test_constructor_revertsOnZeroAddress() public {
        vm.expectRevert(IDatanetRegistry.DatanetZeroAddress.selector);
        new DatanetRegistry(IERC20(address(0)), governance, treasury);
        vm.expectRevert(IDatanetRegistry.DatanetZeroAddress.selector);
        new DatanetRegistry(open, address(0), treasury);
        vm.expectRevert(IDatanetRegistry.DatanetZeroAddress.selector);
        new DatanetRegistry(open, governance, address(0));
    }

    function test_domain_isDatanetRegistryV1() public view {
        (, string memory name, string memory version, uint256 chainId, address verifying,,) = registry.eip712Domain();
        assertEq(name, "DatanetRegistry");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifying, address(registry));
    }

    /* CREATE / PUBLISH / ARCHIVE */

    function test_createDatanet_storesDraftWithDefaults() public {
        vm.expectEmit(true, true, false, true, address(registry));
        emit IDatanetRegistry.DatanetCreated(1, owner, IDatanetRegistry.DataType.Code, 42, "ipfs://x");
        vm.prank(owner);
        uint256 id = registry.createDatanet("ipfs://x", IDatanetRegistry.DataType.Code, 42, _rules(true, BOND));
        assertEq(id, 1);
        IDatanetRegistry.DatanetInfo memory info = registry.getDatanet(id);
        assertEq(info.owner, owner);
        assertEq(uint8(info.state), uint8(IDatanetRegistry.DatanetState.Draft));
        assertEq(uint8(info.dataType), uint8(IDatanetRegistry.DataType.Code));
        assertEq(info.rules.maxItemSize, 5_000_000);
        assertEq(info.rules.dailyLimit, 10_000_000);
        assertEq(info.rules.bond, BOND);
        assertTrue(info.rules.validatorGated);
        assertEq(info.metadataURI, "ipfs://x");
        assertEq(registry.datanetCount(), 1);
    }

    function test_createDatanet_revertsOutOfBounds() public {
        IDatanetRegistry.Rules memory r = _rules(true, BOND);
        r.maxItemSize = 100_000_001;
        r.dailyLimit = 200_000_000;
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetRuleOutOfBounds.selector, "maxItemSize", 100_000_001)
        );
        registry.createDatanet("", IDatanetRegistry.DataType.Text, 0, r);
        r = _rules(true, BOND);
        r.dailyLimit = 1_000; // below the default 5 MB item limit
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetRuleOutOfBounds.selector, "dailyLimit", 1_000));
        registry.createDatanet("", IDatanetRegistry.DataType.Text, 0, r);
        r = _rules(true, 1_000e18 + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetRuleOutOfBounds.selector, "bond", 1_000e18 + 1));
        registry.createDatanet("", IDatanetRegistry.DataType.Text, 0, r);
        r = _rules(true, 0);
        r.accessFee = 1_000_000e18 + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetRuleOutOfBounds.selector, "accessFee", 1_000_000e18 + 1)
        );
        registry.createDatanet("", IDatanetRegistry.DataType.Text, 0, r);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetRuleOutOfBounds.selector, "declaredBytes", 1e15 + 1)
        );
        registry.createDatanet("", IDatanetRegistry.DataType.Text, 1e15 + 1, _rules(true, 0));
        assertEq(registry.datanetCount(), 0);
    }

    function test_publishDatanet_paysFeeScaledBySizeToTreasury() public {
        vm.prank(owner);
        uint256 id = registry.createDatanet("m", IDatanetRegistry.DataType.Text, 2_500_000, _rules(false, 0));
        uint256 fee = registry.publishFeeOf(id);
        assertEq(fee, 10e18 + 3 * 1e16); // base + 3 started MB
        uint256 before = open.balanceOf(treasury);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IDatanetRegistry.DatanetStateChanged(id, IDatanetRegistry.DatanetState.Published, fee);
        vm.prank(owner);
        registry.publishDatanet(id);
        assertEq(open.balanceOf(treasury) - before, fee);
        assertEq(uint8(registry.getDatanet(id).state), uint8(IDatanetRegistry.DatanetState.Published));
    }

    function test_publishDatanet_revertsForNonOwnerUnknownOrTwice() public {
        uint256 id = _openDatanet();
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        vm.prank(builder);
        registry.publishDatanet(id);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 99));
        registry.publishDatanet(99);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.DatanetBadState.selector, id, IDatanetRegistry.DatanetState.Published
            )
        );
        vm.prank(owner);
        registry.publishDatanet(id);
    }

    function test_archiveDatanet_stopsContributionsAndVersions() public {
        uint256 id = _openDatanet();
        vm.prank(owner);
        registry.archiveDatanet(id);
        _commitFor(contributor, id, _one(_digest(1, 1), 10));
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.DatanetBadState.selector, id, IDatanetRegistry.DatanetState.Archived
            )
        );
        vm.prank(contributor);
        registry.contributeBatch(id, _one(_digest(1, 1), 10), ANY_BOND, _lastSalt);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.DatanetBadState.selector, id, IDatanetRegistry.DatanetState.Archived
            )
        );
        vm.prank(owner);
        registry.archiveDatanet(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.DatanetBadState.selector, id, IDatanetRegistry.DatanetState.Archived
            )
        );
        vm.prank(owner);
        registry.setRules(id, _rules(false, 0));
    }

    function test_archiveDatanet_revertsFromDraft() public {
        vm.prank(owner);
        uint256 id = registry.createDatanet("m", IDatanetRegistry.DataType.Text, 1, _rules(false, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetBadState.selector, id, IDatanetRegistry.DatanetState.Draft)
        );
        vm.prank(owner);
        registry.archiveDatanet(id);
    }

    function test_contribute_revertsOnDraft() public {
        vm.prank(owner);
        uint256 id = registry.createDatanet("m", IDatanetRegistry.DataType.Text, 1, _rules(false, 0));
        _commitFor(contributor, id, _one(_digest(1, 1), 10));
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetBadState.selector, id, IDatanetRegistry.DatanetState.Draft)
        );
        vm.prank(contributor);
        registry.contributeBatch(id, _one(_digest(1, 1), 10), ANY_BOND, _lastSalt);
    }

    function test_ownerActions_revertForNonOwner() public {
        uint256 id = _openDatanet();
        vm.startPrank(builder);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        registry.setRules(id, _rules(false, 0));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        registry.setMetadataURI(id, "x");
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        registry.transferDatanetOwnership(id, builder);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        registry.setValidator(id, builder, true);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        registry.archiveDatanet(id);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        registry.publishVersion(id, bytes32(uint256(1)), 1, "");
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        registry.grantAccess(id, 1, builder);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotOwner.selector, id, builder));
        registry.denyAccess(id, 1, builder);
        vm.stopPrank();
    }

    function test_setMetadataAndOwnership() public {
        uint256 id = _openDatanet();
        vm.startPrank(owner);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IDatanetRegistry.DatanetMetadataSet(id, "ipfs://new");
        registry.setMetadataURI(id, "ipfs://new");
        vm.expectRevert(IDatanetRegistry.DatanetZeroAddress.selector);
        registry.transferDatanetOwnership(id, address(0));
        vm.expectEmit(true, true, true, true, address(registry));
        emit IDatanetRegistry.DatanetOwnerChanged(id, owner, builder);
        registry.transferDatanetOwnership(id, builder);
        vm.stopPrank();
        IDatanetRegistry.DatanetInfo memory info = registry.getDatanet(id);
        assertEq(info.metadataURI, "ipfs://new");
        assertEq(info.owner, builder);
    }

    function test_setValidator_revertsOnZero() public {
        uint256 id = _gated();
        vm.expectRevert(IDatanetRegistry.DatanetZeroAddress.selector);
        vm.prank(owner);
        registry.setValidator(id, address(0), true);
    }

    function test_getDatanet_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 7));
        registry.getDatanet(7);
    }

    /* CONTRIBUTIONS */

    function test_contribute_openDatanetApprovesAtOnce() public {
        uint256 id = _openDatanet();
        bytes32 d = _digest(1, 1);
        _commitFor(contributor, id, _one(d, 1234));
        vm.expectEmit(true, true, true, true, address(registry));
        emit IDatanetRegistry.ContributionSubmitted(
            id, 1, contributor, d, 1234, IDatanetRegistry.ContributionStatus.Approved
        );
        vm.prank(contributor);
        uint256 cid = registry.contributeBatch(id, _one(d, 1234), ANY_BOND, _lastSalt);
        assertEq(cid, 1);
        IDatanetRegistry.Contribution memory c = registry.getContribution(id, d);
        assertEq(c.id, 1);
        assertEq(c.contributor, contributor);
        assertEq(c.size, 1234);
        assertEq(uint8(c.status), uint8(IDatanetRegistry.ContributionStatus.Approved));
        assertEq(registry.getDatanet(id).approvedCount, 1);
        assertEq(registry.dailyBytes(id, contributor), 1234);
        assertEq(registry.totalBonded(), 0);
    }

    function test_contribute_gatedLocksBond() public {
        uint256 id = _gated();
        uint256 before = open.balanceOf(contributor);
        _commitFor(contributor, id, _one(_digest(1, 1), 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _one(_digest(1, 1), 10), ANY_BOND, _lastSalt);
        assertEq(before - open.balanceOf(contributor), BOND);
        assertEq(registry.totalBonded(), BOND);
        assertEq(registry.bondedOf(contributor), BOND);
        IDatanetRegistry.Contribution memory c = registry.getContribution(id, _digest(1, 1));
        assertEq(uint8(c.status), uint8(IDatanetRegistry.ContributionStatus.Pending));
        assertEq(c.bond, BOND);
        assertEq(registry.getDatanet(id).approvedCount, 0);
    }

    function test_contribute_revertsOnBadInputAndChangesNothing() public {
        uint256 id = _gated();
        vm.startPrank(contributor);
        _commitFor(contributor, id, _one(bytes32(0), 10));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetZeroDigest.selector, 0));
        registry.contributeBatch(id, _one(bytes32(0), 10), ANY_BOND, _lastSalt);
        _commitFor(contributor, id, _one(_digest(1, 1), 0));
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetItemSize.selector, id, _digest(1, 1), 0, 5_000_000)
        );
        registry.contributeBatch(id, _one(_digest(1, 1), 0), ANY_BOND, _lastSalt);
        _commitFor(contributor, id, _one(_digest(1, 1), 5_000_001));
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetItemSize.selector, id, _digest(1, 1), 5_000_001, 5_000_000)
        );
        registry.contributeBatch(id, _one(_digest(1, 1), 5_000_001), ANY_BOND, _lastSalt);
        _commitFor(contributor, 42, _one(_digest(1, 1), 10));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotFound.selector, 42));
        registry.contributeBatch(42, _one(_digest(1, 1), 10), ANY_BOND, _lastSalt);
        _commitFor(contributor, id, _one(_digest(1, 1), 10));
        registry.contributeBatch(id, _one(_digest(1, 1), 10), ANY_BOND, _lastSalt);
        _commitFor(contributor, id, _one(_digest(1, 1), 10));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetDuplicate.selector, id, _digest(1, 1)));
        registry.contributeBatch(id, _one(_digest(1, 1), 10), ANY_BOND, _lastSalt);
        vm.stopPrank();
        // the same digest is fine in another Datanet
        uint256 other = _openDatanet();
        _commitFor(builder, other, _one(_digest(1, 1), 10));
        vm.prank(builder);
        registry.contributeBatch(other, _one(_digest(1, 1), 10), ANY_BOND, _lastSalt);
        assertEq(registry.nextContributionId(), 3);
        assertEq(registry.totalBonded(), BOND);
    }

    function test_contribute_dailyLimitResetsNextDay() public {
        uint256 id = _openDatanet();
        vm.startPrank(contributor);
        _commitFor(contributor, id, _one(_digest(1, 1), 5_000_000));
        registry.contributeBatch(id, _one(_digest(1, 1), 5_000_000), ANY_BOND, _lastSalt);
        _commitFor(contributor, id, _one(_digest(1, 2), 5_000_000));
        registry.contributeBatch(id, _one(_digest(1, 2), 5_000_000), ANY_BOND, _lastSalt);
        _commitFor(contributor, id, _one(_digest(1, 3), 1));
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetDailyLimit.selector, id, contributor, 10_000_001, 10_000_000)
        );
        registry.contributeBatch(id, _one(_digest(1, 3), 1), ANY_BOND, _lastSalt);
        vm.warp(block.timestamp + 1 days);
        assertEq(registry.dailyBytes(id, contributor), 0);
        _commitFor(contributor, id, _one(_digest(1, 3), 1));
        registry.contributeBatch(id, _one(_digest(1, 3), 1), ANY_BOND, _lastSalt);
        vm.stopPrank();
        assertEq(registry.dailyBytes(id, contributor), 1);
    }

    function test_contributeBatch_recordsAllWithConsecutiveIds() public {
        uint256 id = _gated();
        _commitFor(contributor, id, _items(7, 5, 100));
        vm.prank(contributor);
        uint256 first = registry.contributeBatch(id, _items(7, 5, 100), ANY_BOND, _lastSalt);
        assertEq(first, 1);
        for (uint256 i; i < 5; ++i) {
            IDatanetRegistry.Contribution memory c = registry.getContribution(id, _digest(7, i));
            assertEq(c.id, first + i);
            assertEq(c.size, 100);
        }
        assertEq(registry.totalBonded(), 5 * BOND);
        assertEq(registry.dailyBytes(id, contributor), 500);
    }

    function test_contributeBatch_revertsOnDuplicateInsideBatch() public {
        uint256 id = _gated();
        bytes memory items = bytes.concat(_items(7, 3, 100), _items(7, 1, 100));
        _commitFor(contributor, id, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetDuplicate.selector, id, _digest(7, 0)));
        vm.prank(contributor);
        registry.contributeBatch(id, items, ANY_BOND, _lastSalt);
        assertEq(registry.getContribution(id, _digest(7, 1)).id, 0);
        assertEq(registry.nextContributionId(), 1);
    }

    function test_contributeBatch_revertsOnBadLength() public {
        uint256 id = _gated();
        vm.startPrank(contributor);
        _commitFor(contributor, id, "");
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadItems.selector, 0));
        registry.contributeBatch(id, "", ANY_BOND, _lastSalt);
        _commitFor(contributor, id, bytes.concat(_items(1, 1, 10), hex"00"));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadItems.selector, 41));
        registry.contributeBatch(id, bytes.concat(_items(1, 1, 10), hex"00"), ANY_BOND, _lastSalt);
        _commitFor(contributor, id, new bytes(1001 * 40));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadItems.selector, 1001 * 40));
        registry.contributeBatch(id, new bytes(1001 * 40), ANY_BOND, _lastSalt);
        vm.stopPrank();
    }

    function test_contributeBatch_revertsOnZeroDigestAtIndex() public {
        uint256 id = _gated();
        bytes memory items = bytes.concat(_items(1, 2, 10), abi.encodePacked(bytes32(0), uint64(10)));
        _commitFor(contributor, id, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetZeroDigest.selector, 2));
        vm.prank(contributor);
        registry.contributeBatch(id, items, ANY_BOND, _lastSalt);
    }

    function test_contributeBatch_revertsWithoutBondAllowance() public {
        uint256 id = _gated();
        vm.prank(contributor);
        open.approve(address(registry), 0);
        _commitFor(contributor, id, _items(1, 2, 10));
        vm.expectRevert();
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 2, 10), ANY_BOND, _lastSalt);
        assertEq(registry.getContribution(id, _digest(1, 0)).id, 0);
    }

    function test_contributeBatch_revertsWhenIdsRunOut() public {
        uint256 id = _openDatanet();
        // ids live in 40 bits of the packed slot: the last id is 2^40 - 1
        stdstore.target(address(registry)).sig("nextContributionId()").checked_write(uint256(1 << 40) - 2);
        _commitFor(contributor, id, _items(1, 3, 10));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadItems.selector, 3));
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 3, 10), ANY_BOND, _lastSalt);
        _commitFor(contributor, id, _items(1, 2, 10));
        vm.prank(contributor);
        uint256 first = registry.contributeBatch(id, _items(1, 2, 10), ANY_BOND, _lastSalt);
        assertEq(first, (1 << 40) - 2);
        assertEq(registry.getContribution(id, _digest(1, 1)).id, (1 << 40) - 1);
    }

    function test_setRules_bondChangeAppliesToLaterItemsOnly() public {
        uint256 id = _gated();
        _commitFor(contributor, id, _one(_digest(1, 1), 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _one(_digest(1, 1), 10), ANY_BOND, _lastSalt);
        vm.prank(owner);
        registry.setRules(id, _rules(true, 3 * BOND));
        _commitFor(contributor, id, _one(_digest(1, 2), 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _one(_digest(1, 2), 10), ANY_BOND, _lastSalt);
        assertEq(registry.getContribution(id, _digest(1, 1)).bond, BOND);
        assertEq(registry.getContribution(id, _digest(1, 2)).bond, 3 * BOND);
        bytes32[] memory both = new bytes32[](2);
        both[0] = _digest(1, 1);
        both[1] = _digest(1, 2);
        vm.prank(validator);
        registry.approve(id, both);
        assertEq(registry.owed(contributor), 4 * BOND);
        assertEq(registry.totalBonded(), 0);
    }

    /* SIGNED BATCHES */

    function test_contributeBySig_relayedBatchRecordsForSigner() public {
        uint256 id = _gated();
        bytes memory items = _items(3, 4, 100);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signBatch(contributorPk, contributor, id, items, 0, deadline);
        _commitFor(contributor, id, items);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IDatanetRegistry.ContributionBatchRelayed(id, contributor, relayer, 0, 4);
        vm.prank(relayer);
        uint256 first = registry.contributeBySig(id, contributor, items, _terms(0, deadline), sig);
        assertEq(first, 1);
        assertEq(registry.getContribution(id, _digest(3, 3)).contributor, contributor);
        assertEq(registry.batchNonce(contributor), 1);
        assertEq(registry.bondedOf(contributor), 4 * BOND);
    }

    /// @dev Fully gasless with a bond: the relayer submits the contributor's OPEN permit, then the signed batch.
    function test_contributeBySig_gaslessWithPermitForBond() public {
        uint256 id = _gated();
        uint256 pk = 0xFEED;
        address fresh = vm.addr(pk);
        _fund(fresh, 10e18); // holds OPEN, never sends a transaction
        bytes memory items = _items(21, 3, 100);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 permitHash = keccak256(
            abi.encodePacked(
                "\x19\x01",
                open.DOMAIN_SEPARATOR(),
                keccak256(
                    abi.encode(
                        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                        fresh,
                        address(registry),
                        3 * BOND,
                        0,
                        deadline
                    )
                )
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, permitHash);
        bytes memory sig = _signBatch(pk, fresh, id, items, 0, deadline);
        vm.startPrank(relayer);
        open.permit(fresh, address(registry), 3 * BOND, deadline, v, r, s);
        _commitFor(fresh, id, items);
        registry.contributeBySig(id, fresh, items, _terms(0, deadline), sig);
        vm.stopPrank();
        assertEq(registry.bondedOf(fresh), 3 * BOND);
        assertEq(open.balanceOf(fresh), 10e18 - 3 * BOND);
        assertEq(registry.getContribution(id, _digest(21, 2)).contributor, fresh);
    }

    function test_contributeBySig_revertsOnReusedNonce() public {
        uint256 id = _gated();
        bytes memory items = _items(3, 2, 100);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signBatch(contributorPk, contributor, id, items, 0, deadline);
        _commitFor(contributor, id, items);
        registry.contributeBySig(id, contributor, items, _terms(0, deadline), sig);
        _commitFor(contributor, id, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadNonce.selector, contributor, 1, 0));
        registry.contributeBySig(id, contributor, items, _terms(0, deadline), sig);
    }

    function test_contributeBySig_revertsWhenExpired() public {
        uint256 id = _gated();
        bytes memory items = _items(3, 2, 100);
        uint256 deadline = block.timestamp - 1;
        bytes memory sig = _signBatch(contributorPk, contributor, id, items, 0, deadline);
        _commitFor(contributor, id, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetExpired.selector, deadline));
        registry.contributeBySig(id, contributor, items, _terms(0, deadline), sig);
    }

    function test_contributeBySig_revertsOnOtherChainId() public {
        uint256 id = _gated();
        bytes memory items = _items(3, 2, 100);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signBatch(contributorPk, contributor, id, items, 0, deadline);
        vm.chainId(block.chainid + 1);
        _commitFor(contributor, id, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadSignature.selector, contributor));
        registry.contributeBySig(id, contributor, items, _terms(0, deadline), sig);
    }

    function test_contributeBySig_revertsOnOtherContract() public {
        uint256 id = _gated();
        DatanetRegistry other = new DatanetRegistry(open, governance, treasury);
        vm.startPrank(owner);
        open.approve(address(other), type(uint256).max);
        other.createDatanet("m", IDatanetRegistry.DataType.Text, 1, _rules(true, 0));
        other.publishDatanet(1);
        vm.stopPrank();
        bytes memory items = _items(3, 2, 100);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signBatch(contributorPk, contributor, id, items, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadSignature.selector, contributor));
        other.contributeBySig(1, contributor, items, _terms(0, deadline), sig);
    }

    function test_contributeBySig_revertsOnTamperedItemsOrWrongSigner() public {
        uint256 id = _gated();
        bytes memory items = _items(3, 2, 100);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signBatch(contributorPk, contributor, id, items, 0, deadline);
        _commitFor(contributor, id, _items(3, 2, 101));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadSignature.selector, contributor));
        registry.contributeBySig(id, contributor, _items(3, 2, 101), _terms(0, deadline), sig);
        bytes memory sigOther = _signBatch(0xBAD, contributor, id, items, 0, deadline);
        _commitFor(contributor, id, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadSignature.selector, contributor));
        registry.contributeBySig(id, contributor, items, _terms(0, deadline), sigOther);
        _commitFor(contributor, id + 1, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadSignature.selector, contributor));
        registry.contributeBySig(id + 1, contributor, items, _terms(0, deadline), sig);
        assertEq(registry.batchNonce(contributor), 0);
        assertEq(registry.nextContributionId(), 1);
    }

    function test_contributeBySig_acceptsErc1271Account() public {
        uint256 id = _gated();
        SmartAccount account = new SmartAccount(contributor);
        _fund(address(account), 10e18);
        account.approve(open, address(registry));
        bytes memory items = _items(5, 2, 100);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _signBatch(contributorPk, address(account), id, items, 0, deadline);
        _commitFor(address(account), id, items);
        vm.prank(relayer);
        registry.contributeBySig(id, address(account), items, _terms(0, deadline), sig);
        assertEq(registry.getContribution(id, _digest(5, 0)).contributor, address(account));
        assertEq(registry.bondedOf(address(account)), 2 * BOND);
        bytes memory wrong = _signBatch(0xBAD, address(account), id, _items(6, 1, 100), 1, deadline);
        _commitFor(address(account), id, _items(6, 1, 100));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadSignature.selector, address(account)));
        registry.contributeBySig(id, address(account), _items(6, 1, 100), _terms(1, deadline), wrong);
    }

    function test_contributionBatchDigest_matchesManualEip712() public view {
        bytes32 itemsHash = keccak256(_items(1, 3, 9));
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "ContributionBatch(address contributor,uint256 datanetId,bytes32 itemsHash,uint256 maxBond,uint256 nonce,uint256 deadline)"
                ),
                contributor,
                uint256(5),
                itemsHash,
                uint256(7e18),
                uint256(2),
                uint256(99)
            )
        );
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("DatanetRegistry"),
                keccak256("1"),
                block.chainid,
                address(registry)
            )
        );
        assertEq(registry.DOMAIN_SEPARATOR(), domain);
        assertEq(
            registry.contributionBatchDigest(contributor, 5, itemsHash, 7e18, 2, 99),
            keccak256(abi.encodePacked("\x19\x01", domain, structHash))
        );
    }

    /* VALIDATION */

    function test_approve_releasesBondsToOwed() public {
        uint256 id = _gated();
        _commitFor(contributor, id, _items(1, 3, 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 3, 10), ANY_BOND, _lastSalt);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IDatanetRegistry.ContributionApproved(id, 1, validator, _digest(1, 0));
        vm.prank(validator);
        registry.approve(id, _digests(1, 3));
        assertEq(registry.getDatanet(id).approvedCount, 3);
        assertEq(registry.owed(contributor), 3 * BOND);
        assertEq(registry.totalBonded(), 0);
        assertEq(registry.totalOwed(), 3 * BOND);
        uint256 before = open.balanceOf(contributor);
        vm.prank(relayer);
        registry.withdraw(contributor);
        assertEq(open.balanceOf(contributor) - before, 3 * BOND);
        assertEq(registry.totalOwed(), 0);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNothingOwed.selector, contributor));
        registry.withdraw(contributor);
    }

    function test_approve_revertsForNonValidatorAndNotPending() public {
        uint256 id = _gated();
        _commitFor(contributor, id, _items(1, 2, 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 2, 10), ANY_BOND, _lastSalt);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotValidator.selector, id, builder));
        vm.prank(builder);
        registry.approve(id, _digests(1, 2));
        vm.prank(validator);
        registry.approve(id, _digests(1, 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.DatanetNotPending.selector,
                id,
                _digest(1, 0),
                IDatanetRegistry.ContributionStatus.Approved
            )
        );
        vm.prank(validator);
        registry.approve(id, _digests(1, 2));
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatanetRegistry.DatanetNotPending.selector, id, _digest(9, 9), IDatanetRegistry.ContributionStatus.None
            )
        );
        bytes32[] memory unknown = new bytes32[](1);
        unknown[0] = _digest(9, 9);
        vm.prank(validator);
        registry.approve(id, unknown);
        assertEq(registry.getDatanet(id).approvedCount, 1);
    }

    function test_reject_nonMaliciousReturnsWholeBond() public {
        uint256 id = _gated();
        _commitFor(contributor, id, _items(1, 2, 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 2, 10), ANY_BOND, _lastSalt);
        vm.prank(validator);
        registry.reject(id, _digests(1, 2), IDatanetRegistry.RejectReason.OffTopic);
        assertEq(registry.owed(contributor), 2 * BOND);
        assertEq(registry.owed(validator), 0);
        assertEq(
            uint8(registry.getContribution(id, _digest(1, 0)).status),
            uint8(IDatanetRegistry.ContributionStatus.Rejected)
        );
        // a rejected digest stays refused
        _commitFor(contributor, id, _one(_digest(1, 0), 10));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetDuplicate.selector, id, _digest(1, 0)));
        vm.prank(contributor);
        registry.contributeBatch(id, _one(_digest(1, 0), 10), ANY_BOND, _lastSalt);
    }

    function test_reject_maliciousForfeitsToValidatorAndTreasury() public {
        uint256 id = _gated();
        _commitFor(contributor, id, _items(1, 2, 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 2, 10), ANY_BOND, _lastSalt);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IDatanetRegistry.ContributionRejected(
            id, 1, validator, _digest(1, 0), IDatanetRegistry.RejectReason.Malicious, BOND / 2
        );
        vm.prank(validator);
        registry.reject(id, _digests(1, 2), IDatanetRegistry.RejectReason.Malicious);
        assertEq(registry.owed(contributor), BOND); // half of each bond back
        assertEq(registry.owed(validator), BOND / 2);
        assertEq(registry.owed(treasury), BOND / 2);
        assertEq(registry.totalOwed(), 2 * BOND);
        assertEq(open.balanceOf(address(registry)), registry.totalOwed() + registry.totalBonded());
    }

    function test_validation_revertsOnEmptyList() public {
        uint256 id = _gated();
        vm.startPrank(validator);
        vm.expectRevert(IDatanetRegistry.DatanetEmptyList.selector);
        registry.approve(id, new bytes32[](0));
        vm.expectRevert(IDatanetRegistry.DatanetEmptyList.selector);
        registry.reject(id, new bytes32[](0), IDatanetRegistry.RejectReason.LowQuality);
        vm.stopPrank();
    }

    function test_approve_byStakedValidator() public {
        IDatanetRegistry.Rules memory r = _rules(true, BOND);
        r.acceptStakedValidators = true;
        uint256 id = _published(r);
        StakingStandIn staking = new StakingStandIn();
        address staked = makeAddr("staked");
        staking.set(staked, OperatorRole.Validator, true);
        vm.prank(governance);
        registry.setStakingRegistry(address(staking));
        _commitFor(contributor, id, _items(1, 2, 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 2, 10), ANY_BOND, _lastSalt);
        vm.prank(staked);
        registry.approve(id, _digests(1, 1));
        assertEq(registry.getDatanet(id).approvedCount, 1);
        staking.set(staked, OperatorRole.Validator, false); // jailed or unstaked: no longer a validator
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotValidator.selector, id, staked));
        vm.prank(staked);
        registry.reject(id, _digests(1, 2), IDatanetRegistry.RejectReason.LowQuality);
    }

    function test_reject_revertsOnNoneReason() public {
        uint256 id = _gated();
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetBadReason.selector, IDatanetRegistry.RejectReason.None)
        );
        vm.prank(validator);
        registry.reject(id, _digests(1, 1), IDatanetRegistry.RejectReason.None);
    }

    function test_validation_allowedAfterArchive() public {
        uint256 id = _gated();
        _commitFor(contributor, id, _items(1, 1, 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 1, 10), ANY_BOND, _lastSalt);
        vm.prank(owner);
        registry.archiveDatanet(id);
        vm.prank(validator);
        registry.approve(id, _digests(1, 1));
        assertEq(registry.owed(contributor), BOND);
    }

    function test_isValidator_acceptsStakedValidatorsWhenConfigured() public {
        IDatanetRegistry.Rules memory r = _rules(true, BOND);
        r.acceptStakedValidators = true;
        uint256 id = _published(r);
        StakingStandIn staking = new StakingStandIn();
        address staked = makeAddr("staked");
        staking.set(staked, OperatorRole.Validator, true);
        assertFalse(registry.isValidator(id, staked));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotGovernance.selector, owner));
        vm.prank(owner);
        registry.setStakingRegistry(address(staking));
        vm.prank(governance);
        registry.setStakingRegistry(address(staking));
        assertTrue(registry.isValidator(id, staked));
        staking.set(staked, OperatorRole.Validator, false);
        staking.set(staked, OperatorRole.Node, true);
        assertFalse(registry.isValidator(id, staked));
        // a Datanet that does not opt in ignores staked validators
        uint256 other = _gated();
        staking.set(staked, OperatorRole.Validator, true);
        assertFalse(registry.isValidator(other, staked));
    }

    /* VERSIONS */

    function test_publishVersion_storesImmutableCumulativeVersions() public {
        uint256 id = _openDatanet();
        uint256 v1 = _versionWith(id, 1, 3);
        assertEq(v1, 1);
        IDatanetRegistry.Version memory ver = registry.getVersion(id, 1);
        assertEq(ver.count, 3);
        assertEq(ver.root, keccak256(abi.encode(uint256(1), uint64(3))));
        uint256 v2 = _versionWith(id, 2, 2);
        assertEq(v2, 2);
        assertEq(registry.getVersion(id, 2).count, 5);
        assertEq(registry.getVersion(id, 1).root, ver.root);
        assertEq(registry.versionRoot(id, 1), ver.root);
        assertEq(registry.versionRoot(id, 3), bytes32(0));
    }

    function test_publishVersion_revertsOnBadRootOrCount() public {
        uint256 id = _openDatanet();
        _versionWith(id, 1, 3);
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadVersion.selector, id, bytes32(0), 3));
        registry.publishVersion(id, bytes32(0), 3, "");
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadVersion.selector, id, bytes32(uint256(1)), 4));
        registry.publishVersion(id, bytes32(uint256(1)), 4, "");
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadVersion.selector, id, bytes32(uint256(1)), 2));
        registry.publishVersion(id, bytes32(uint256(1)), 2, "");
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetVersionNotFound.selector, id, 2));
        registry.getVersion(id, 2);
    }

    /* ACCESS */

    function test_access_ownerGrantsOnRequest() public {
        uint256 id = _openDatanet();
        uint256 v = _versionWith(id, 1, 2);
        assertTrue(registry.hasAccess(id, v, owner));
        assertFalse(registry.hasAccess(id, v, builder));
        vm.expectEmit(true, true, true, true, address(registry));
        emit IDatanetRegistry.AccessRequested(id, v, builder);
        vm.prank(builder);
        registry.requestAccess(id, v);
        vm.prank(owner);
        registry.grantAccess(id, v, builder);
        assertTrue(registry.hasAccess(id, v, builder));
        assertFalse(registry.hasAccess(id, v + 1, builder));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetAlreadyGranted.selector, id, v, builder));
        vm.prank(owner);
        registry.grantAccess(id, v, builder);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetAlreadyGranted.selector, id, v, builder));
        vm.prank(builder);
        registry.requestAccess(id, v);
    }

    function test_access_revertsForUnpublishedVersionOrWrongMode() public {
        uint256 id = _openDatanet();
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetVersionNotFound.selector, id, 1));
        vm.prank(builder);
        registry.requestAccess(id, 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetVersionNotFound.selector, id, 1));
        vm.prank(owner);
        registry.grantAccess(id, 1, builder);
        uint256 v = _versionWith(id, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetAccessMode.selector, id, false));
        vm.prank(builder);
        registry.buyAccess(id, v, 0);
        vm.expectRevert(IDatanetRegistry.DatanetZeroAddress.selector);
        vm.prank(owner);
        registry.grantAccess(id, v, address(0));
    }

    function test_access_denyEmitsOnly() public {
        uint256 id = _openDatanet();
        uint256 v = _versionWith(id, 1, 1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IDatanetRegistry.AccessDenied(id, v, builder);
        vm.prank(owner);
        registry.denyAccess(id, v, builder);
        assertFalse(registry.hasAccess(id, v, builder));
    }

    function test_buyAccess_paysOwnerAndGrants() public {
        IDatanetRegistry.Rules memory r = _rules(false, 0);
        r.openAccess = true;
        r.accessFee = 25e18;
        uint256 id = _published(r);
        uint256 v = _versionWith(id, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetAccessMode.selector, id, true));
        vm.prank(builder);
        registry.requestAccess(id, v);
        uint256 before = open.balanceOf(owner);
        vm.prank(builder);
        registry.buyAccess(id, v, 25e18);
        assertEq(open.balanceOf(owner) - before, 25e18);
        assertTrue(registry.hasAccess(id, v, builder));
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetAlreadyGranted.selector, id, v, builder));
        vm.prank(builder);
        registry.buyAccess(id, v, 25e18);
    }

    /* GOVERNANCE */

    function test_governance_setsWithinBounds() public {
        vm.startPrank(governance);
        vm.expectEmit(false, false, false, true, address(registry));
        emit IDatanetRegistry.PublishFeeSet(1e18, 2e18);
        registry.setPublishFee(1e18, 2e18);
        registry.setSlashing(10_000, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetParamOutOfBounds.selector, "publishFeeBase", 10_000e18 + 1)
        );
        registry.setPublishFee(10_000e18 + 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetParamOutOfBounds.selector, "publishFeePerMB", 100e18 + 1)
        );
        registry.setPublishFee(0, 100e18 + 1);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetParamOutOfBounds.selector, "slashBps", 10_001));
        registry.setSlashing(10_001, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IDatanetRegistry.DatanetParamOutOfBounds.selector, "validatorShareBps", 10_001)
        );
        registry.setSlashing(0, 10_001);
        vm.stopPrank();
        assertEq(registry.publishFeeBase(), 1e18);
        assertEq(registry.publishFeePerMB(), 2e18);
        assertEq(registry.slashBps(), 10_000);
        assertEq(registry.validatorShareBps(), 0);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotGovernance.selector, owner));
        vm.prank(owner);
        registry.setPublishFee(0, 0);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetNotGovernance.selector, owner));
        vm.prank(owner);
        registry.setSlashing(0, 0);
    }

    /* FUZZ */

    function testFuzz_contributeBatch_sizesAndLimits(uint256 n, uint64 size, uint32 maxItemSize) public {
        n = bound(n, 1, 50);
        maxItemSize = uint32(bound(maxItemSize, 1, 5_000_000));
        size = uint64(bound(size, 0, 6_000_000));
        IDatanetRegistry.Rules memory r = _rules(true, BOND);
        r.maxItemSize = maxItemSize;
        r.dailyLimit = 100_000_000;
        uint256 id = _published(r);
        bytes memory items = _items(n, n, size);
        _commitFor(contributor, id, items);
        vm.prank(contributor);
        if (size == 0 || size > maxItemSize) {
            vm.expectRevert(
                abi.encodeWithSelector(IDatanetRegistry.DatanetItemSize.selector, id, _digest(n, 0), size, maxItemSize)
            );
            registry.contributeBatch(id, items, ANY_BOND, _lastSalt);
            assertEq(registry.nextContributionId(), 1);
        } else if (uint256(size) * n > 100_000_000) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IDatanetRegistry.DatanetDailyLimit.selector, id, contributor, uint256(size) * n, 100_000_000
                )
            );
            registry.contributeBatch(id, items, ANY_BOND, _lastSalt);
        } else {
            registry.contributeBatch(id, items, ANY_BOND, _lastSalt);
            assertEq(registry.nextContributionId(), n + 1);
            assertEq(registry.dailyBytes(id, contributor), uint256(size) * n);
            assertEq(registry.totalBonded(), n * BOND);
        }
    }

    function testFuzz_reject_maliciousSplitSumsToBond(uint16 slashBps, uint16 shareBps, uint96 bond) public {
        slashBps = uint16(bound(slashBps, 0, 10_000));
        shareBps = uint16(bound(shareBps, 0, 10_000));
        bond = uint96(bound(bond, 0, 1_000e18));
        vm.prank(governance);
        registry.setSlashing(slashBps, shareBps);
        uint256 id = _published(_rules(true, bond));
        _commitFor(contributor, id, _items(1, 3, 10));
        vm.prank(contributor);
        registry.contributeBatch(id, _items(1, 3, 10), ANY_BOND, _lastSalt);
        vm.prank(validator);
        registry.reject(id, _digests(1, 3), IDatanetRegistry.RejectReason.Malicious);
        assertEq(registry.owed(contributor) + registry.owed(validator) + registry.owed(treasury), 3 * uint256(bond));
        assertEq(registry.totalBonded(), 0);
        assertEq(open.balanceOf(address(registry)), registry.totalOwed());
    }

    function testFuzz_contributeBySig_anyWrongKeyRefused(uint256 pk) public {
        pk = bound(pk, 1, 115792089237316195423570985008687907852837564279074904382605163141518161494336);
        vm.assume(pk != contributorPk);
        uint256 id = _gated();
        bytes memory items = _items(2, 2, 10);
        uint256 deadline = block.timestamp + 1;
        bytes memory sig = _signBatch(pk, contributor, id, items, 0, deadline);
        _commitFor(contributor, id, items);
        vm.expectRevert(abi.encodeWithSelector(IDatanetRegistry.DatanetBadSignature.selector, contributor));
        registry.contributeBySig(id, contributor, items, _terms(0, deadline), sig);
    }
}

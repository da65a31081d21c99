// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CoreFixture} from "./base/CoreFixture.sol";
import {IModelRegistry} from "../../src/interfaces/IModelRegistry.sol";
import {IModelTerms} from "../../src/interfaces/IModelTerms.sol";
import {IDatanetAccess} from "../../src/interfaces/IDatanetAccess.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract ModelRegistryTest is CoreFixture {
    uint256 internal dn;
    uint256 internal ver;

    function setUp() public override {
        super.setUp();
        dn = _openDatanet();
        ver = _versionWith(dn, 1, 3);
        vm.prank(owner);
        registry.grantAccess(dn, ver, builder);
    }

    function test_constructor_revertsOnZeroAddress() public {
        vm.expectRevert(IModelRegistry.ModelZeroAddress.selector);
        new ModelRegistry(IERC20(address(0)), registry, governance, treasury);
        vm.expectRevert(IModelRegistry.ModelZeroAddress.selector);
        new ModelRegistry(open, IDatanetAccess(address(0)), governance, treasury);
        vm.expectRevert(IModelRegistry.ModelZeroAddress.selector);
        new ModelRegistry(open, registry, address(0), treasury);
        vm.expectRevert(IModelRegistry.ModelZeroAddress.selector);
        new ModelRegistry(open, registry, governance, address(0));
    }

    function test_mint_storesModelAndTerms() public {
        IModelRegistry.MintParams memory p = _mintParams(dn, ver);
        vm.prank(builder);
        uint256 id = models.mint(p);
        assertEq(id, 1);
        assertEq(models.ownerOf(id), builder);
        assertEq(models.modelCount(), 1);
        (address holder, uint16 bps, uint256 price) = models.revenueTerms(id);
        assertEq(holder, builder);
        assertEq(bps, 3_000);
        assertEq(price, 1e15);
        IModelRegistry.ModelInfo memory m = models.getModel(id);
        assertEq(m.baseModelDigest, p.baseModelDigest);
        assertEq(m.adapterDigest, p.adapterDigest);
        assertEq(m.manifestDigest, p.manifestDigest);
        assertEq(m.revisionCount, 1);
        assertEq(m.mintedAt, block.timestamp);
        assertEq(m.datasets.length, 1);
        assertEq(m.datasets[0].datanetId, dn);
        assertEq(m.datasets[0].versionId, ver);
        assertEq(m.metadataDigest, p.metadataDigest);
        // vector from multiformats: CID.create(1, raw.code, sha256("lineage model metadata")).toString()
        assertEq(models.tokenURI(id), "ipfs://bafkreihvokb54syqblo5jld7uw3rowhq5daacrb5txthtuz25o6vauxzjy");
        assertEq(models.name(), "Lineage Model");
    }

    function test_mint_revertsWithoutAccess() public {
        IModelRegistry.MintParams memory p = _mintParams(dn, ver);
        address stranger = makeAddr("stranger");
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNoAccess.selector, dn, ver, stranger));
        vm.prank(stranger);
        models.mint(p);
        p = _mintParams(dn, ver + 1); // unpublished version: nobody has access
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNoAccess.selector, dn, ver + 1, builder));
        vm.prank(builder);
        models.mint(p);
        assertEq(models.modelCount(), 0);
    }

    function test_mint_revertsOnBadInput() public {
        vm.startPrank(builder);
        IModelRegistry.MintParams memory p = _mintParams(dn, ver);
        p.baseModelDigest = 0;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelZeroDigest.selector, "baseModelDigest"));
        models.mint(p);
        p = _mintParams(dn, ver);
        p.adapterDigest = 0;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelZeroDigest.selector, "adapterDigest"));
        models.mint(p);
        p = _mintParams(dn, ver);
        p.manifestDigest = 0;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelZeroDigest.selector, "manifestDigest"));
        models.mint(p);
        p = _mintParams(dn, ver);
        p.pricePer1kTokens = 0;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelPriceOutOfBounds.selector, 0));
        models.mint(p);
        p.pricePer1kTokens = 1_000e18 + 1;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelPriceOutOfBounds.selector, 1_000e18 + 1));
        models.mint(p);
        p = _mintParams(dn, ver);
        p.ownerBps = 9_001;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelOwnerBpsOutOfBounds.selector, 9_001));
        models.mint(p);
        p = _mintParams(dn, ver);
        p.datasets = new IModelRegistry.DatasetRef[](0);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelBadDatasets.selector, 0));
        models.mint(p);
        p.datasets = new IModelRegistry.DatasetRef[](33);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelBadDatasets.selector, 33));
        models.mint(p);
        p.datasets = new IModelRegistry.DatasetRef[](2);
        p.datasets[0] = IModelRegistry.DatasetRef(dn, ver);
        p.datasets[1] = IModelRegistry.DatasetRef(dn, ver);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelBadDataset.selector, dn, ver));
        models.mint(p);
        p.datasets[1] = IModelRegistry.DatasetRef(uint256(type(uint128).max) + 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.ModelBadDataset.selector, uint256(type(uint128).max) + 1, 1)
        );
        models.mint(p);
        vm.stopPrank();
        assertEq(models.modelCount(), 0);
    }

    function test_mint_multipleDatasetsAllChecked() public {
        uint256 dn2 = _openDatanet();
        uint256 v2 = _versionWith(dn2, 2, 2);
        IModelRegistry.MintParams memory p = _mintParams(dn, ver);
        p.datasets = new IModelRegistry.DatasetRef[](2);
        p.datasets[0] = IModelRegistry.DatasetRef(dn, ver);
        p.datasets[1] = IModelRegistry.DatasetRef(dn2, v2);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNoAccess.selector, dn2, v2, builder));
        vm.prank(builder);
        models.mint(p);
        vm.prank(owner);
        registry.grantAccess(dn2, v2, builder);
        vm.prank(builder);
        uint256 id = models.mint(p);
        assertEq(models.getModel(id).datasets.length, 2);
    }

    function test_mint_paysMintFeeToTreasury() public {
        vm.prank(governance);
        models.setMintFee(5e18);
        vm.prank(builder);
        open.approve(address(models), 5e18);
        uint256 before = open.balanceOf(treasury);
        vm.prank(builder);
        models.mint(_mintParams(dn, ver));
        assertEq(open.balanceOf(treasury) - before, 5e18);
    }

    function test_setMintFee_boundsAndGovernanceOnly() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotGovernance.selector, builder));
        vm.prank(builder);
        models.setMintFee(1);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelMintFeeOutOfBounds.selector, 10_000e18 + 1));
        vm.prank(governance);
        models.setMintFee(10_000e18 + 1);
    }

    function test_transfer_movesRevenueRights() public {
        vm.prank(builder);
        uint256 id = models.mint(_mintParams(dn, ver));
        address buyer = makeAddr("buyer");
        vm.prank(builder);
        models.transferFrom(builder, buyer, id);
        (address holder,,) = models.revenueTerms(id);
        assertEq(holder, buyer);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotAuthorized.selector, id, builder));
        vm.prank(builder);
        models.setPrice(id, 2e15);
        vm.prank(buyer);
        models.setPrice(id, 2e15);
        (,, uint256 price) = models.revenueTerms(id);
        assertEq(price, 2e15);
    }

    function test_setPrice_byApprovedOperator() public {
        vm.prank(builder);
        uint256 id = models.mint(_mintParams(dn, ver));
        address operator = makeAddr("operator");
        vm.prank(builder);
        models.setApprovalForAll(operator, true);
        vm.prank(operator);
        models.setPrice(id, 5);
        (,, uint256 price) = models.revenueTerms(id);
        assertEq(price, 5);
    }

    function test_setPrice_boundsAndEvents() public {
        vm.prank(builder);
        uint256 id = models.mint(_mintParams(dn, ver));
        vm.expectEmit(true, false, false, true, address(models));
        emit IModelRegistry.ModelRepriced(id, 7);
        vm.prank(builder);
        models.setPrice(id, 7);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelPriceOutOfBounds.selector, 0));
        vm.prank(builder);
        models.setPrice(id, 0);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotFound.selector, 99));
        models.setPrice(99, 7);
    }

    function test_publishRevision_keepsHistory() public {
        vm.prank(builder);
        uint256 id = models.mint(_mintParams(dn, ver));
        bytes32 a2 = keccak256("adapter2");
        bytes32 m2 = keccak256("manifest2");
        vm.expectEmit(true, true, false, true, address(models));
        emit IModelRegistry.AdapterRevised(id, 1, a2, m2, builder);
        vm.prank(builder);
        uint32 rev = models.publishRevision(id, a2, m2);
        assertEq(rev, 1);
        (bytes32 a0,) = models.revisionOf(id, 0);
        assertEq(a0, keccak256("adapter.gguf"));
        (bytes32 a1, bytes32 m1) = models.revisionOf(id, 1);
        assertEq(a1, a2);
        assertEq(m1, m2);
        assertEq(models.getModel(id).adapterDigest, a2);
        assertEq(models.getModel(id).revisionCount, 2);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRevisionNotFound.selector, id, 2));
        models.revisionOf(id, 2);
    }

    function test_publishRevision_revertsWithoutAccessOrAuth() public {
        vm.prank(builder);
        uint256 id = models.mint(_mintParams(dn, ver));
        address buyer = makeAddr("buyer");
        vm.prank(builder);
        models.transferFrom(builder, buyer, id);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNoAccess.selector, dn, ver, buyer));
        vm.prank(buyer);
        models.publishRevision(id, keccak256("a"), keccak256("m"));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotAuthorized.selector, id, builder));
        vm.prank(builder);
        models.publishRevision(id, keccak256("a"), keccak256("m"));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelZeroDigest.selector, "adapterDigest"));
        vm.prank(buyer);
        models.publishRevision(id, 0, keccak256("m"));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelZeroDigest.selector, "manifestDigest"));
        vm.prank(buyer);
        models.publishRevision(id, keccak256("a"), 0);
    }

    function test_setMetadata_holderOnlyAndRendersCid() public {
        vm.prank(builder);
        uint256 id = models.mint(_mintParams(dn, ver));
        // sha256("") and sha256("x"), CIDs from multiformats
        vm.prank(builder);
        models.setMetadata(id, 0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855);
        assertEq(models.tokenURI(id), "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
        vm.prank(builder);
        models.setMetadata(id, 0x2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881);
        assertEq(models.tokenURI(id), "ipfs://bafkreibnoelefnzgwbcacyt4vh52ymxvzbjq7mmqhtcnwarfq4lzegsiqe");
        vm.prank(builder);
        models.setMetadata(id, 0);
        assertEq(models.tokenURI(id), "");
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotAuthorized.selector, id, owner));
        vm.prank(owner);
        models.setMetadata(id, keccak256("x"));
    }

    function test_views_revertForUnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotFound.selector, 5));
        models.revenueTerms(5);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotFound.selector, 5));
        models.getModel(5);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelNotFound.selector, 5));
        models.revisionOf(5, 0);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 5));
        models.tokenURI(5);
    }

    function test_supportsInterface_erc721() public view {
        assertTrue(models.supportsInterface(0x80ac58cd));
        assertTrue(models.supportsInterface(0x5b5e139f));
    }

    function testFuzz_mint_boundsOnPriceAndBps(uint256 price, uint16 bps) public {
        IModelRegistry.MintParams memory p = _mintParams(dn, ver);
        p.pricePer1kTokens = bound(price, 0, 2_000e18);
        p.ownerBps = uint16(bound(bps, 0, 10_000));
        bool ok = p.pricePer1kTokens >= 1 && p.pricePer1kTokens <= 1_000e18 && p.ownerBps <= 9_000;
        if (!ok) vm.expectRevert();
        vm.prank(builder);
        models.mint(p);
        assertEq(models.modelCount(), ok ? 1 : 0);
        if (ok) {
            (address holder, uint16 b, uint256 pr) = IModelTerms(address(models)).revenueTerms(1);
            assertEq(holder, builder);
            assertEq(b, p.ownerBps);
            assertEq(pr, p.pricePer1kTokens);
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDatanetAccess} from "../interfaces/IDatanetAccess.sol";
import {IModelTerms} from "../interfaces/IModelTerms.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {CidV1Raw} from "../libraries/ModelMetadataLib.sol";

/// @title ModelRegistry
/// @notice ERC-721 model NFTs with revenue terms read by settlement. Immutable; governance sets the mint fee within
/// a constant bound.
contract ModelRegistry is ERC721, ReentrancyGuardTransient, IModelRegistry {
    using SafeERC20 for IERC20;

    /* CONSTANTS */

    /// @notice Lowest price per 1k tokens (1 wei: a model is never free, so every call is metered and paid).
    uint256 public constant MIN_PRICE_PER_1K = 1;
    /// @notice Highest price per 1k tokens: 1,000 OPEN.
    uint256 public constant MAX_PRICE_PER_1K = 1_000e18;
    /// @notice Highest holder share: 90% (data contributors always get at least 10% of the remainder).
    uint16 public constant MAX_OWNER_BPS = 9_000;
    /// @notice Most Datanet versions per model.
    uint256 public constant MAX_DATASETS = 32;
    /// @notice Highest mint fee: 10,000 OPEN.
    uint256 public constant MAX_MINT_FEE = 10_000e18;

    /* STORAGE */

    /// @dev One model in two slots (base digest; price | ownerBps | revisionCount | mintedAt | datasetCount).
    struct ModelData {
        bytes32 baseModelDigest;
        uint128 pricePer1kTokens;
        uint16 ownerBps;
        uint32 revisionCount;
        uint40 mintedAt;
        uint8 datasetCount;
    }

    /// @dev One adapter revision in two slots.
    struct Revision {
        bytes32 adapterDigest;
        bytes32 manifestDigest;
    }

    /// @notice The OPEN token (mint fee).
    IERC20 public immutable open;
    /// @notice The Datanet registry consulted for access grants.
    IDatanetAccess public immutable datanets;
    /// @notice The governance address (the Timelock).
    address public immutable governance;
    /// @notice The treasury (mint fees).
    address public immutable treasury;

    /// @notice OPEN paid to the treasury per mint.
    uint256 public mintFee;
    /// @inheritdoc IModelRegistry
    uint256 public modelCount;

    mapping(uint256 modelId => ModelData) private _models;
    mapping(uint256 modelId => mapping(uint256 revision => Revision)) private _revisions;
    /// @dev Datanet versions per model, packed datanetId << 128 | versionId.
    mapping(uint256 modelId => mapping(uint256 index => uint256 packed)) private _datasets;
    mapping(uint256 modelId => bytes32) private _metadata;

    /* CONSTRUCTOR */

    /// @param open_ The OPEN token.
    /// @param datanets_ The Datanet registry (access grants).
    /// @param governance_ The governance address (Timelock).
    /// @param treasury_ The treasury.
    constructor(IERC20 open_, IDatanetAccess datanets_, address governance_, address treasury_)
        ERC721("Lineage Model", "LMODEL")
    {
        if (
            address(open_) == address(0) || address(datanets_) == address(0) || governance_ == address(0)
                || treasury_ == address(0)
        ) revert ModelZeroAddress();
        open = open_;
        datanets = datanets_;
        governance = governance_;
        treasury = treasury_;
    }

    /* ACTIONS */

    /// @inheritdoc IModelRegistry
    function mint(MintParams calldata p) external nonReentrant returns (uint256 modelId) {
        if (p.baseModelDigest == bytes32(0)) revert ModelZeroDigest("baseModelDigest");
        if (p.adapterDigest == bytes32(0)) revert ModelZeroDigest("adapterDigest");
        if (p.manifestDigest == bytes32(0)) revert ModelZeroDigest("manifestDigest");
        _checkPrice(p.pricePer1kTokens);
        if (p.ownerBps > MAX_OWNER_BPS) revert ModelOwnerBpsOutOfBounds(p.ownerBps);
        uint256 n = p.datasets.length;
        if (n == 0 || n > MAX_DATASETS) revert ModelBadDatasets(n);

        modelId = ++modelCount;
        for (uint256 i; i < n; ++i) {
            DatasetRef calldata d = p.datasets[i];
            if (d.datanetId > type(uint128).max || d.versionId > type(uint128).max) {
                revert ModelBadDataset(d.datanetId, d.versionId);
            }
            uint256 packed = (d.datanetId << 128) | d.versionId;
            for (uint256 j; j < i; ++j) {
                if (_datasets[modelId][j] == packed) revert ModelBadDataset(d.datanetId, d.versionId);
            }
            if (!datanets.hasAccess(d.datanetId, d.versionId, msg.sender)) {
                revert ModelNoAccess(d.datanetId, d.versionId, msg.sender);
            }
            _datasets[modelId][i] = packed;
        }
        _models[modelId] = ModelData({
            baseModelDigest: p.baseModelDigest,
            pricePer1kTokens: uint128(p.pricePer1kTokens),
            ownerBps: p.ownerBps,
            revisionCount: 1,
            mintedAt: uint40(block.timestamp),
            datasetCount: uint8(n)
        });
        _revisions[modelId][0] = Revision(p.adapterDigest, p.manifestDigest);
        if (p.metadataDigest != bytes32(0)) _metadata[modelId] = p.metadataDigest;
        emit ModelMinted(
            modelId,
            msg.sender,
            p.baseModelDigest,
            p.adapterDigest,
            p.manifestDigest,
            p.datasets,
            p.pricePer1kTokens,
            p.ownerBps,
            p.metadataDigest
        );
        uint256 fee = mintFee;
        if (fee != 0) open.safeTransferFrom(msg.sender, treasury, fee);
        _safeMint(msg.sender, modelId);
    }

    /// @inheritdoc IModelRegistry
    function setPrice(uint256 modelId, uint256 pricePer1kTokens) external {
        _authorized(modelId);
        _checkPrice(pricePer1kTokens);
        _models[modelId].pricePer1kTokens = uint128(pricePer1kTokens);
        emit ModelRepriced(modelId, pricePer1kTokens);
    }

    /// @inheritdoc IModelRegistry
    function publishRevision(uint256 modelId, bytes32 adapterDigest, bytes32 manifestDigest)
        external
        returns (uint32 revision)
    {
        _authorized(modelId);
        if (adapterDigest == bytes32(0)) revert ModelZeroDigest("adapterDigest");
        if (manifestDigest == bytes32(0)) revert ModelZeroDigest("manifestDigest");
        ModelData storage m = _models[modelId];
        uint256 n = m.datasetCount;
        for (uint256 i; i < n; ++i) {
            uint256 packed = _datasets[modelId][i];
            (uint256 datanetId, uint256 versionId) = (packed >> 128, uint128(packed));
            if (!datanets.hasAccess(datanetId, versionId, msg.sender)) {
                revert ModelNoAccess(datanetId, versionId, msg.sender);
            }
        }
        revision = m.revisionCount;
        m.revisionCount = revision + 1;
        _revisions[modelId][revision] = Revision(adapterDigest, manifestDigest);
        emit AdapterRevised(modelId, revision, adapterDigest, manifestDigest, msg.sender);
    }

    /// @inheritdoc IModelRegistry
    function setMetadata(uint256 modelId, bytes32 metadataDigest) external {
        _authorized(modelId);
        _metadata[modelId] = metadataDigest;
        emit ModelMetadataSet(modelId, metadataDigest);
    }

    /// @inheritdoc IModelRegistry
    function setMintFee(uint256 fee) external {
        if (msg.sender != governance) revert ModelNotGovernance(msg.sender);
        if (fee > MAX_MINT_FEE) revert ModelMintFeeOutOfBounds(fee);
        mintFee = fee;
        emit MintFeeSet(fee);
    }

    /* VIEWS */

    /// @inheritdoc IModelTerms
    function revenueTerms(uint256 modelId)
        external
        view
        returns (address owner, uint16 ownerBps, uint256 pricePer1kTokens)
    {
        owner = _ownerOf(modelId);
        if (owner == address(0)) revert ModelNotFound(modelId);
        ModelData storage m = _models[modelId];
        return (owner, m.ownerBps, m.pricePer1kTokens);
    }

    /// @inheritdoc IModelRegistry
    function getModel(uint256 modelId) external view returns (ModelInfo memory info) {
        if (_ownerOf(modelId) == address(0)) revert ModelNotFound(modelId);
        ModelData storage m = _models[modelId];
        Revision storage latest = _revisions[modelId][m.revisionCount - 1];
        DatasetRef[] memory ds = new DatasetRef[](m.datasetCount);
        for (uint256 i; i < ds.length; ++i) {
            uint256 packed = _datasets[modelId][i];
            ds[i] = DatasetRef(packed >> 128, uint128(packed));
        }
        info = ModelInfo({
            baseModelDigest: m.baseModelDigest,
            adapterDigest: latest.adapterDigest,
            manifestDigest: latest.manifestDigest,
            pricePer1kTokens: m.pricePer1kTokens,
            ownerBps: m.ownerBps,
            revisionCount: m.revisionCount,
            mintedAt: m.mintedAt,
            datasets: ds,
            metadataDigest: _metadata[modelId]
        });
    }

    /// @inheritdoc IModelRegistry
    function revisionOf(uint256 modelId, uint32 revision)
        external
        view
        returns (bytes32 adapterDigest, bytes32 manifestDigest)
    {
        if (_ownerOf(modelId) == address(0)) revert ModelNotFound(modelId);
        if (revision >= _models[modelId].revisionCount) revert ModelRevisionNotFound(modelId, revision);
        Revision storage r = _revisions[modelId][revision];
        return (r.adapterDigest, r.manifestDigest);
    }

    /// @notice The model's metadata URI (ERC-721 metadata): `ipfs://<CIDv1 raw of the metadata digest>`, or empty.
    function tokenURI(uint256 modelId) public view override returns (string memory) {
        _requireOwned(modelId);
        bytes32 digest = _metadata[modelId];
        return digest == bytes32(0) ? "" : CidV1Raw.toURI(digest);
    }

    /* INTERNAL */

    function _authorized(uint256 modelId) private view {
        address holder = _ownerOf(modelId);
        if (holder == address(0)) revert ModelNotFound(modelId);
        if (!_isAuthorized(holder, msg.sender, modelId)) revert ModelNotAuthorized(modelId, msg.sender);
    }

    function _checkPrice(uint256 price) private pure {
        if (price < MIN_PRICE_PER_1K || price > MAX_PRICE_PER_1K) revert ModelPriceOutOfBounds(price);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IModelTerms} from "./IModelTerms.sol";

/// @title IModelRegistry
/// @notice Model NFTs (issue 3): each holds a base model digest, an adapter digest with its revision history, a
/// training manifest digest, the Datanet versions used (each granted to the minter), a price per 1k tokens, the
/// holder's revenue share and a metadata URI. Revenue rights move with the NFT ({IModelTerms-revenueTerms}).
interface IModelRegistry is IERC721, IModelTerms {
    /* TYPES */

    /// @notice A Datanet version a model was trained on.
    struct DatasetRef {
        uint256 datanetId;
        uint256 versionId;
    }

    /// @notice What a builder mints.
    /// @param baseModelDigest sha2-256 of the base GGUF file.
    /// @param adapterDigest sha2-256 of the GGUF LoRA file served.
    /// @param manifestDigest sha2-256 of the training manifest (RFC 8785 canonical JSON).
    /// @param datasets Datanet versions used; the minter needs access to each.
    /// @param pricePer1kTokens Price per 1,000 tokens in OPEN wei (bounded).
    /// @param ownerBps Holder's share of the remainder after treasury and node parts (bounded; the rest goes to
    /// the data contributors).
    /// @param metadataDigest sha2-256 of the metadata JSON in the content store (`tokenURI` renders it as
    /// `ipfs://<CIDv1 raw>`); zero for none.
    struct MintParams {
        bytes32 baseModelDigest;
        bytes32 adapterDigest;
        bytes32 manifestDigest;
        DatasetRef[] datasets;
        uint256 pricePer1kTokens;
        uint16 ownerBps;
        bytes32 metadataDigest;
    }

    /// @notice A model as stored.
    struct ModelInfo {
        bytes32 baseModelDigest;
        bytes32 adapterDigest;
        bytes32 manifestDigest;
        uint256 pricePer1kTokens;
        uint16 ownerBps;
        uint32 revisionCount;
        uint64 mintedAt;
        DatasetRef[] datasets;
        bytes32 metadataDigest;
    }

    /* ERRORS */

    /// @notice No model has id `modelId`.
    error ModelNotFound(uint256 modelId);
    /// @notice Model `modelId` has no revision `revision`.
    error ModelRevisionNotFound(uint256 modelId, uint32 revision);
    /// @notice `caller` is not governance.
    error ModelNotGovernance(address caller);
    /// @notice A constructor address is zero.
    error ModelZeroAddress();
    /// @notice A digest is zero (`field` names it).
    error ModelZeroDigest(string field);
    /// @notice `count` datasets: none, or more than the bound.
    error ModelBadDatasets(uint256 count);
    /// @notice The same (Datanet, version) is listed twice, or an id is too large to store.
    error ModelBadDataset(uint256 datanetId, uint256 versionId);
    /// @notice `account` has no access to version `versionId` of Datanet `datanetId`.
    error ModelNoAccess(uint256 datanetId, uint256 versionId, address account);
    /// @notice The price is outside [MIN_PRICE_PER_1K, MAX_PRICE_PER_1K].
    error ModelPriceOutOfBounds(uint256 price);
    /// @notice The owner share is above MAX_OWNER_BPS.
    error ModelOwnerBpsOutOfBounds(uint256 ownerBps);
    /// @notice The mint fee is above MAX_MINT_FEE.
    error ModelMintFeeOutOfBounds(uint256 fee);
    /// @notice `caller` is neither the model's holder nor approved by it.
    error ModelNotAuthorized(uint256 modelId, address caller);

    /* EVENTS */

    /// @notice A model NFT was minted (revision 0 = the first adapter).
    event ModelMinted(
        uint256 indexed modelId,
        address indexed minter,
        bytes32 baseModelDigest,
        bytes32 adapterDigest,
        bytes32 manifestDigest,
        DatasetRef[] datasets,
        uint256 pricePer1kTokens,
        uint16 ownerBps,
        bytes32 metadataDigest
    );
    /// @notice The price of a model changed.
    event ModelRepriced(uint256 indexed modelId, uint256 pricePer1kTokens);
    /// @notice A new adapter revision was published (the previous ones stay in the history).
    event AdapterRevised(
        uint256 indexed modelId, uint32 indexed revision, bytes32 adapterDigest, bytes32 manifestDigest, address by
    );
    /// @notice A model's metadata digest changed.
    event ModelMetadataSet(uint256 indexed modelId, bytes32 metadataDigest);
    /// @notice Governance set the mint fee (paid to the treasury).
    event MintFeeSet(uint256 fee);

    /* ACTIONS */

    /// @notice Mints a model NFT to the caller, who must have access to every listed Datanet version, paying the
    /// mint fee (if any) to the treasury.
    /// @return modelId The new model's id (from 1).
    function mint(MintParams calldata params) external returns (uint256 modelId);

    /// @notice Sets a model's price per 1k tokens within bounds (holder or approved).
    function setPrice(uint256 modelId, uint256 pricePer1kTokens) external;

    /// @notice Publishes a new adapter revision with its training manifest (holder or approved, who must have
    /// access to the model's Datanet versions). Settlement serves the latest revision.
    /// @return revision The new revision number.
    function publishRevision(uint256 modelId, bytes32 adapterDigest, bytes32 manifestDigest)
        external
        returns (uint32 revision);

    /// @notice Sets a model's metadata digest (holder or approved).
    function setMetadata(uint256 modelId, bytes32 metadataDigest) external;

    /// @notice Sets the mint fee in OPEN (governance only; bounded by MAX_MINT_FEE).
    function setMintFee(uint256 fee) external;

    /* VIEWS */

    /// @notice A model (reverts with ModelNotFound).
    function getModel(uint256 modelId) external view returns (ModelInfo memory);

    /// @notice Revision `revision` of a model's adapter: its adapter and manifest digests.
    function revisionOf(uint256 modelId, uint32 revision)
        external
        view
        returns (bytes32 adapterDigest, bytes32 manifestDigest);

    /// @notice The number of models minted.
    function modelCount() external view returns (uint256);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDatanetAccess} from "./IDatanetAccess.sol";

/// @title IDatanetRegistry
/// @notice Datanets: community data sets with content-addressed contributions, validation with bonds, cumulative
/// versions (Merkle roots) and access grants (issue 3; PROTOCOL.md "Hashes and identifiers", "Signed messages").
/// @dev A contribution is one packed storage slot keyed by keccak256(datanetId, digest): it is both the record and
/// the duplicate guard. Contribution ids are global and monotonic. Every contribution is committed first and
/// revealed at least one block later (commit-reveal binding the contributor), so nobody can take credit for a
/// pending contribution by copying its digests: an earlier commit takes over a digest revealed under a later one.
/// Every state change emits an event; the indexer is built from events alone. Amounts owed out (released bonds,
/// forfeited shares) are credited and pulled with {withdraw}.
interface IDatanetRegistry is IDatanetAccess {
    /* TYPES */

    /// @notice Life cycle of a Datanet: contributions are accepted only while Published.
    enum DatanetState {
        None,
        Draft,
        Published,
        Archived
    }

    /// @notice The one data type of a Datanet.
    enum DataType {
        Text,
        Code,
        Image,
        Audio,
        Video,
        Tabular,
        Other
    }

    /// @notice Status of a contribution.
    enum ContributionStatus {
        None,
        Pending,
        Approved,
        Rejected
    }

    /// @notice Why a validator rejected a contribution. Only `Malicious` forfeits part of the bond.
    enum RejectReason {
        None,
        LowQuality,
        OffTopic,
        Malformed,
        Malicious
    }

    /// @notice Owner-configurable rules of a Datanet (bounded by the registry's constants).
    /// @param maxItemSize Largest item in bytes (0 = default, 5 MB).
    /// @param dailyLimit Bytes one contributor may submit per UTC day (0 = default, 10 MB); >= maxItemSize.
    /// @param bond OPEN locked per contribution while pending (validator-gated Datanets only).
    /// @param validatorGated Contributions wait for a validator's verdict; otherwise they are approved at once.
    /// @param acceptStakedValidators Also accept active staked validators of the staking registry, when configured.
    /// @param openAccess Anyone may buy access to a version for `accessFee`; otherwise the owner grants access.
    /// @param accessFee OPEN paid to the Datanet owner per (version, account) when `openAccess`.
    struct Rules {
        uint32 maxItemSize;
        uint32 dailyLimit;
        uint96 bond;
        bool validatorGated;
        bool acceptStakedValidators;
        bool openAccess;
        uint128 accessFee;
    }

    /// @notice A Datanet as stored.
    struct DatanetInfo {
        address owner;
        DatanetState state;
        DataType dataType;
        uint64 declaredBytes;
        uint64 approvedCount;
        uint32 versionCount;
        Rules rules;
        string metadataURI;
    }

    /// @notice A contribution as stored (decoded from its packed slot).
    struct Contribution {
        uint256 id;
        address contributor;
        uint32 size;
        ContributionStatus status;
        uint96 bond;
    }

    /// @notice The terms a contributor signs with a `ContributionBatch`, and the salt of its commitment.
    /// @param maxBond Most OPEN bonded per item (signed): the batch reverts if the Datanet's bond is higher.
    /// @param nonce The contributor's next batch nonce (signed).
    /// @param deadline Unix seconds after which the signature is void (signed).
    /// @param salt The salt of the batch's commitment (not signed; see {commitContribution}).
    struct BatchTerms {
        uint256 maxBond;
        uint256 nonce;
        uint256 deadline;
        bytes32 salt;
    }

    /// @notice A published version: Merkle root over the first `count` approved contributions (cumulative).
    struct Version {
        bytes32 root;
        uint64 count;
        uint64 publishedAt;
    }

    /* ERRORS */

    /// @notice `caller` is not the governance address.
    error DatanetNotGovernance(address caller);
    /// @notice A constructor address is zero.
    error DatanetZeroAddress();
    /// @notice No Datanet has id `datanetId`.
    error DatanetNotFound(uint256 datanetId);
    /// @notice `caller` is not the owner of Datanet `datanetId`.
    error DatanetNotOwner(uint256 datanetId, address caller);
    /// @notice Datanet `datanetId` is in `state`, which does not allow this action.
    error DatanetBadState(uint256 datanetId, DatanetState state);
    /// @notice A rule is outside its bounds (`field` names it).
    error DatanetRuleOutOfBounds(string field, uint256 value);
    /// @notice A governance parameter is outside its bounds (`field` names it).
    error DatanetParamOutOfBounds(string field, uint256 value);
    /// @notice The packed items have `length` bytes: not a non-zero multiple of 40, or more than the batch limit.
    error DatanetBadItems(uint256 length);
    /// @notice A list of digests to judge is empty.
    error DatanetEmptyList();
    /// @notice Item `index` has a zero digest.
    error DatanetZeroDigest(uint256 index);
    /// @notice An item of `size` bytes is empty or above the Datanet's `maxItemSize`.
    error DatanetItemSize(uint256 datanetId, bytes32 digest, uint256 size, uint256 maxItemSize);
    /// @notice `digest` was already contributed to Datanet `datanetId`.
    error DatanetDuplicate(uint256 datanetId, bytes32 digest);
    /// @notice `contributor` would reach `total` bytes today on Datanet `datanetId`, above `limit`.
    error DatanetDailyLimit(uint256 datanetId, address contributor, uint256 total, uint256 limit);
    /// @notice The signed batch expired at `deadline`.
    error DatanetExpired(uint256 deadline);
    /// @notice `nonce` is not `contributor`'s next batch nonce `expected`.
    error DatanetBadNonce(address contributor, uint256 expected, uint256 nonce);
    /// @notice The signature is not `contributor`'s.
    error DatanetBadSignature(address contributor);
    /// @notice `caller` is not a validator of Datanet `datanetId`.
    error DatanetNotValidator(uint256 datanetId, address caller);
    /// @notice `digest` of Datanet `datanetId` is not pending (its status is `status`).
    error DatanetNotPending(uint256 datanetId, bytes32 digest, ContributionStatus status);
    /// @notice `reason` is not a valid rejection reason.
    error DatanetBadReason(RejectReason reason);
    /// @notice The version's `root` is zero, or `count` is not between the previous version's and the approved total.
    error DatanetBadVersion(uint256 datanetId, bytes32 root, uint256 count);
    /// @notice Version `versionId` of Datanet `datanetId` was not published.
    error DatanetVersionNotFound(uint256 datanetId, uint256 versionId);
    /// @notice `account` already has access to the version.
    error DatanetAlreadyGranted(uint256 datanetId, uint256 versionId, address account);
    /// @notice Datanet `datanetId` does not sell access (its owner grants it), or does (buy instead of request).
    error DatanetAccessMode(uint256 datanetId, bool openAccess);
    /// @notice `account` has nothing to withdraw.
    error DatanetNothingOwed(address account);
    /// @notice Datanet `datanetId` bonds `bond` OPEN per item, above the contributor's `maxBond`.
    error DatanetBondAboveMax(uint256 datanetId, uint256 bond, uint256 maxBond);
    /// @notice Datanet `datanetId` charges `fee` OPEN for access, above the buyer's `maxFee`.
    error DatanetFeeAboveMax(uint256 datanetId, uint256 fee, uint256 maxFee);
    /// @notice `commitment` is already recorded (it cannot be moved to a later block).
    error DatanetCommitExists(bytes32 commitment);
    /// @notice `commitment` cannot be revealed now: it was never made (`committedAt` 0), was made in this block, or
    /// is more than REVEAL_WINDOW blocks old.
    error DatanetRevealNotOpen(bytes32 commitment, uint256 committedAt);

    /* EVENTS */

    /// @notice A Datanet was created in Draft.
    event DatanetCreated(
        uint256 indexed datanetId, address indexed owner, DataType dataType, uint64 declaredBytes, string metadataURI
    );
    /// @notice The rules of a Datanet were set (at creation and on every change). `bondIndex` numbers bond changes.
    event DatanetRulesSet(uint256 indexed datanetId, Rules rules, uint16 bondIndex);
    /// @notice A Datanet moved to `state`; `feePaid` OPEN went to the treasury (publication only).
    event DatanetStateChanged(uint256 indexed datanetId, DatanetState state, uint256 feePaid);
    /// @notice A Datanet's metadata URI changed.
    event DatanetMetadataSet(uint256 indexed datanetId, string metadataURI);
    /// @notice A Datanet's ownership moved.
    event DatanetOwnerChanged(uint256 indexed datanetId, address indexed previousOwner, address indexed newOwner);
    /// @notice The owner appointed (`enabled`) or removed a validator.
    event ValidatorSet(uint256 indexed datanetId, address indexed validator, bool enabled);
    /// @notice A contribution was recorded: `status` is Pending (gated Datanet) or Approved (open Datanet).
    event ContributionSubmitted(
        uint256 indexed datanetId,
        uint256 indexed contributionId,
        address indexed contributor,
        bytes32 digest,
        uint32 size,
        ContributionStatus status
    );
    /// @notice `commitment` = keccak256(abi.encode(contributor, datanetId, itemsHash, salt)) was recorded by
    /// `sender` at this block; its items may be revealed from the next block on.
    event ContributionCommitted(bytes32 indexed commitment, address indexed sender);
    /// @notice Contribution `contributionId` (`digest`) moved from `previousContributor` to `contributor`, whose
    /// commit was earlier: it keeps its id; `status` is its new status (Approved stays Approved, otherwise the
    /// revealing batch's); `forfeited` OPEN of the previous contributor's pending bond went to the treasury.
    event ContributionReassigned(
        uint256 indexed datanetId,
        uint256 indexed contributionId,
        address indexed contributor,
        address previousContributor,
        bytes32 digest,
        ContributionStatus status,
        uint256 forfeited
    );
    /// @notice A signed batch from `contributor` was relayed by `relayer` (its items follow as ContributionSubmitted).
    event ContributionBatchRelayed(
        uint256 indexed datanetId, address indexed contributor, address indexed relayer, uint256 nonce, uint256 count
    );
    /// @notice A validator approved a pending contribution; its bond is owed back to the contributor.
    event ContributionApproved(
        uint256 indexed datanetId, uint256 indexed contributionId, address indexed validator, bytes32 digest
    );
    /// @notice A validator rejected a pending contribution; `forfeited` OPEN of its bond went to the validator and
    /// the treasury.
    event ContributionRejected(
        uint256 indexed datanetId,
        uint256 indexed contributionId,
        address indexed validator,
        bytes32 digest,
        RejectReason reason,
        uint256 forfeited
    );
    /// @notice A version was published (immutable).
    event VersionPublished(
        uint256 indexed datanetId, uint256 indexed versionId, bytes32 root, uint64 count, string metadataCID
    );
    /// @notice `account` asked for access to a version.
    event AccessRequested(uint256 indexed datanetId, uint256 indexed versionId, address indexed account);
    /// @notice `account` got access to a version (granted by the owner, or bought for `feePaid`).
    event AccessGranted(uint256 indexed datanetId, uint256 indexed versionId, address indexed account, uint256 feePaid);
    /// @notice The owner denied `account`'s request.
    event AccessDenied(uint256 indexed datanetId, uint256 indexed versionId, address indexed account);
    /// @notice `amount` OPEN was credited to `account` (bond release, forfeit share), to be withdrawn.
    event Credited(address indexed account, uint256 amount);
    /// @notice `amount` OPEN owed to `account` was paid out.
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice Governance set the publication fee: `base + perMB * ceil(declaredBytes / 1e6)`.
    event PublishFeeSet(uint256 base, uint256 perMB);
    /// @notice Governance set the share of a malicious contribution's bond that is forfeited, and the validator's
    /// share of what is forfeited (the rest goes to the treasury).
    event SlashingSet(uint16 slashBps, uint16 validatorShareBps);
    /// @notice Governance set the staking registry consulted for staked validators (zero = none).
    event StakingRegistrySet(address stakingRegistry);

    /* DATANETS */

    /// @notice Creates a Datanet in Draft, owned by the caller.
    /// @param metadataURI Metadata CID (URI) describing the Datanet.
    /// @param dataType The one data type of its items.
    /// @param declaredBytes Declared size of the data set, which scales the publication fee.
    /// @param rules Contribution and access rules (within bounds).
    /// @return datanetId The new Datanet's id (from 1).
    function createDatanet(string calldata metadataURI, DataType dataType, uint64 declaredBytes, Rules calldata rules)
        external
        returns (uint256 datanetId);

    /// @notice Publishes a Draft Datanet; the owner pays the publication fee to the treasury (prior approval).
    function publishDatanet(uint256 datanetId) external;

    /// @notice Archives a Published Datanet: no more contributions or versions; grants, versions and pending
    /// verdicts stay usable.
    function archiveDatanet(uint256 datanetId) external;

    /// @notice Sets the rules of a Draft or Published Datanet (owner only). A changed bond applies to later items.
    function setRules(uint256 datanetId, Rules calldata rules) external;

    /// @notice Sets a Datanet's metadata URI (owner only).
    function setMetadataURI(uint256 datanetId, string calldata metadataURI) external;

    /// @notice Moves a Datanet to `newOwner` (owner only; not the zero address).
    function transferDatanetOwnership(uint256 datanetId, address newOwner) external;

    /// @notice Appoints (`enabled`) or removes a validator of a Datanet (owner only).
    function setValidator(uint256 datanetId, address validator, bool enabled) external;

    /* CONTRIBUTIONS */

    /// @notice Records a commitment to a batch, to be revealed (by {contributeBatch} or {contributeBySig}) from the
    /// next block on and within REVEAL_WINDOW blocks. Anyone may commit (a relayer, for a gasless contributor):
    /// `commitment` = keccak256(abi.encode(contributor, datanetId, itemsHash, salt)) binds the contributor, and the
    /// random salt hides the items until the reveal.
    function commitContribution(bytes32 commitment) external;

    /// @notice Reveals a committed batch as the caller.
    /// @param items Packed `(bytes32 digest, uint64 size)` items, 40 bytes each.
    /// @param maxBond Most OPEN the caller accepts to bond per item: reverts if the Datanet's bond is higher.
    /// @param salt The salt of the caller's commitment to these items.
    /// @return firstId The first new contribution's id; the others follow in item order. An item whose digest was
    /// revealed under a later commitment is taken over instead, keeping its id (ContributionReassigned).
    function contributeBatch(uint256 datanetId, bytes calldata items, uint256 maxBond, bytes32 salt)
        external
        returns (uint256 firstId);

    /// @notice Reveals a committed batch signed by `contributor` (EIP-712 `ContributionBatch`, this registry's
    /// domain). Anyone may relay. Bonds are pulled from the contributor (prior approval or permit), never more than
    /// the signed `terms.maxBond` per item.
    /// @param items Packed `(bytes32 digest, uint64 size)` items; `itemsHash` = keccak256(items).
    /// @param terms The signed maxBond, nonce and deadline, and the commitment's salt.
    /// @param signature ECDSA signature of an EOA, or ERC-1271 for a contract account.
    /// @return firstId The first new contribution's id.
    function contributeBySig(
        uint256 datanetId,
        address contributor,
        bytes calldata items,
        BatchTerms calldata terms,
        bytes calldata signature
    ) external returns (uint256 firstId);

    /* VALIDATION */

    /// @notice Approves pending contributions (validators only): bonds are owed back to their contributors.
    function approve(uint256 datanetId, bytes32[] calldata digests) external;

    /// @notice Rejects pending contributions with `reason` (validators only). Bonds are owed back, except that for
    /// `Malicious` the slash share is forfeited: the validator's share to the caller, the rest to the treasury.
    function reject(uint256 datanetId, bytes32[] calldata digests, RejectReason reason) external;

    /* VERSIONS */

    /// @notice Publishes version `versionCount + 1` (owner only, Published Datanet): the StandardMerkleTree root
    /// of leaves (contributionId, digest, contributor) over the first `count` approved contributions in approval
    /// order (cumulative), with a metadata CID. Immutable. O(1) gas in the number of contributions.
    function publishVersion(uint256 datanetId, bytes32 root, uint64 count, string calldata metadataCID)
        external
        returns (uint256 versionId);

    /* ACCESS */

    /// @notice Asks the owner of a gated Datanet for access to a published version.
    function requestAccess(uint256 datanetId, uint256 versionId) external;

    /// @notice Grants `account` access to a published version (owner only). Grants are permanent.
    function grantAccess(uint256 datanetId, uint256 versionId, address account) external;

    /// @notice Denies `account`'s access request (owner only; emits only).
    function denyAccess(uint256 datanetId, uint256 versionId, address account) external;

    /// @notice Buys access to a published version of an open-access Datanet: the access fee goes to its owner.
    /// @param maxFee Most OPEN the buyer pays: reverts if the fee is higher (an owner cannot raise it under a
    /// pending purchase).
    function buyAccess(uint256 datanetId, uint256 versionId, uint256 maxFee) external;

    /* PAYOUTS */

    /// @notice Pays `account` everything owed to it (anyone may call; funds go to `account`).
    function withdraw(address account) external returns (uint256 amount);

    /* GOVERNANCE */

    /// @notice Sets the publication fee (governance only; bounded).
    function setPublishFee(uint256 base, uint256 perMB) external;

    /// @notice Sets malicious-rejection slashing (governance only; bounded).
    function setSlashing(uint16 slashBps, uint16 validatorShareBps) external;

    /// @notice Sets the staking registry used for staked validators (governance only; zero disables).
    function setStakingRegistry(address stakingRegistry) external;

    /* VIEWS */

    /// @notice A Datanet (reverts with DatanetNotFound for an unknown id).
    function getDatanet(uint256 datanetId) external view returns (DatanetInfo memory);

    /// @notice The contribution of `digest` to Datanet `datanetId` (status None if absent).
    function getContribution(uint256 datanetId, bytes32 digest) external view returns (Contribution memory);

    /// @notice A published version (reverts with DatanetVersionNotFound).
    function getVersion(uint256 datanetId, uint256 versionId) external view returns (Version memory);

    /// @notice Whether (contributionId, digest, contributor) is a leaf of version `versionId`'s tree, given an
    /// OpenZeppelin StandardMerkleTree inclusion proof (leaf = keccak256(keccak256(abi.encode(id, digest,
    /// contributor)))). False for an unpublished version.
    function verifyContribution(
        uint256 datanetId,
        uint256 versionId,
        uint256 contributionId,
        bytes32 digest,
        address contributor,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Whether `account` may validate Datanet `datanetId` now.
    function isValidator(uint256 datanetId, address account) external view returns (bool);

    /// @notice The publication fee of Datanet `datanetId` at current parameters.
    function publishFeeOf(uint256 datanetId) external view returns (uint256);

    /// @notice `contributor`'s next ContributionBatch nonce.
    function batchNonce(address contributor) external view returns (uint256);

    /// @notice The EIP-712 digest a contributor signs for a batch.
    function contributionBatchDigest(
        address contributor,
        uint256 datanetId,
        bytes32 itemsHash,
        uint256 maxBond,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /// @notice The block at which `commitment` was recorded (0 if never, or once revealed).
    function commitBlock(bytes32 commitment) external view returns (uint256);

    /// @notice Bytes `contributor` submitted today to Datanet `datanetId`.
    function dailyBytes(uint256 datanetId, address contributor) external view returns (uint256);

    /// @notice OPEN owed to `account`, to withdraw.
    function owed(address account) external view returns (uint256);

    /// @notice OPEN locked in bonds of pending contributions of `contributor`.
    function bondedOf(address contributor) external view returns (uint256);

    /// @notice OPEN locked in all pending bonds.
    function totalBonded() external view returns (uint256);

    /// @notice OPEN owed out in all (sum of {owed}).
    function totalOwed() external view returns (uint256);

    /// @notice The id the next contribution will get.
    function nextContributionId() external view returns (uint256);

    /// @notice The number of Datanets created.
    function datanetCount() external view returns (uint256);
}

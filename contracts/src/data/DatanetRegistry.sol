// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDatanetAccess} from "../interfaces/IDatanetAccess.sol";
import {IDatanetRegistry} from "../interfaces/IDatanetRegistry.sol";
import {IOperatorStaking} from "../interfaces/IOperatorStaking.sol";
import {OperatorRole} from "../types/Roles.sol";
import {DatanetItems, ContributionSlot} from "../libraries/DatanetLib.sol";

/// @title DatanetRegistry
/// @notice Datanets, contributions (direct and EIP-712 signed batches), validation with bonds, cumulative Merkle
/// versions and access grants. Immutable; governance (the Timelock) sets fees and slashing within constant bounds.
contract DatanetRegistry is IDatanetRegistry, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using ContributionSlot for uint256;

    /* CONSTANTS */

    /// @notice EIP-712 type hash of `ContributionBatch` (PROTOCOL.md; sdk/eip712/types.ts).
    bytes32 public constant CONTRIBUTION_BATCH_TYPEHASH = keccak256(
        "ContributionBatch(address contributor,uint256 datanetId,bytes32 itemsHash,uint256 maxBond,"
        "uint256 nonce,uint256 deadline)"
    );
    /// @notice Blocks after its commit within which a batch must be revealed. Below ContributionSlot.COMMIT_RANGE / 2,
    /// so that a reveal can order its commit against a contribution revealed after it (see {_reassign}).
    uint256 public constant REVEAL_WINDOW = 1_000;
    /// @notice Default largest item: 5 MB (as on the original network).
    uint32 public constant DEFAULT_MAX_ITEM_SIZE = 5_000_000;
    /// @notice Default bytes per contributor per day: 10 MB (as on the original network).
    uint32 public constant DEFAULT_DAILY_LIMIT = 10_000_000;
    /// @notice Hard bound on an item's size: 100 MB.
    uint32 public constant MAX_ITEM_SIZE_BOUND = 100_000_000;
    /// @notice Hard bound on a contributor's daily bytes: 1 GB.
    uint32 public constant MAX_DAILY_LIMIT_BOUND = 1_000_000_000;
    /// @notice Hard bound on the bond per contribution.
    uint96 public constant MAX_BOND = 1_000e18;
    /// @notice Hard bound on the access fee per version.
    uint128 public constant MAX_ACCESS_FEE = 1_000_000e18;
    /// @notice Hard bound on a Datanet's declared size (1 PB).
    uint64 public constant MAX_DECLARED_BYTES = 1e15;
    /// @notice Most items in one batch.
    uint256 public constant MAX_BATCH_ITEMS = 1_000;
    /// @notice Most bond changes over a Datanet's life (the bond index is 16 bits).
    uint256 public constant MAX_BOND_CHANGES = type(uint16).max;
    /// @notice Hard bounds of the publication fee parameters.
    uint256 public constant MAX_PUBLISH_FEE_BASE = 10_000e18;
    uint256 public constant MAX_PUBLISH_FEE_PER_MB = 100e18;
    /// @notice Bytes per MB in the publication fee.
    uint256 public constant BYTES_PER_MB = 1_000_000;
    /// @notice Basis-point denominator (and bound of the slashing parameters).
    uint16 public constant BPS = 10_000;

    uint8 private constant FLAG_GATED = 1;
    /// @dev In `_record`'s total: the bit above which taken-over items that stayed Approved are counted.
    uint256 private constant KEPT_SHIFT = 128;
    /// @dev In `_record`'s commit word: the bit above which the Datanet's max item size is passed.
    uint256 private constant MAX_SIZE_SHIFT = 128;
    uint8 private constant FLAG_STAKED_VALIDATORS = 2;
    uint8 private constant FLAG_OPEN_ACCESS = 4;

    /* STORAGE */

    /// @dev A Datanet in three slots.
    struct DatanetData {
        // slot 0
        address owner;
        DatanetState state;
        DataType dataType;
        uint32 maxItemSize;
        uint32 dailyLimit;
        uint8 flags;
        // slot 1
        uint96 bond;
        uint16 bondIndex;
        uint128 accessFee;
        // slot 2
        uint64 approvedCount;
        uint32 versionCount;
        uint64 lastVersionCount;
        uint64 declaredBytes;
    }

    /// @notice The OPEN token (bonds, fees).
    IERC20 public immutable open;
    /// @notice The governance address (the Timelock).
    address public immutable governance;
    /// @notice The treasury (publication fees, treasury share of forfeited bonds).
    address public immutable treasury;

    /// @notice Publication fee: `publishFeeBase + publishFeePerMB * ceil(declaredBytes / 1 MB)`.
    uint256 public publishFeeBase = 10e18;
    uint256 public publishFeePerMB = 1e16;
    /// @notice Share of a malicious contribution's bond forfeited, and the validator's share of that (bps).
    uint16 public slashBps = 5_000;
    uint16 public validatorShareBps = 5_000;
    /// @notice Staking registry for staked validators (zero = none).
    IOperatorStaking public stakingRegistry;

    /// @inheritdoc IDatanetRegistry
    uint256 public datanetCount;
    /// @inheritdoc IDatanetRegistry
    uint256 public nextContributionId = 1;
    /// @inheritdoc IDatanetRegistry
    uint256 public totalBonded;
    /// @inheritdoc IDatanetRegistry
    uint256 public totalOwed;

    mapping(uint256 datanetId => DatanetData) private _datanets;
    mapping(uint256 datanetId => string) private _metadataURI;
    mapping(uint256 datanetId => uint96[]) private _bondSchedule;
    /// @dev Packed contributions keyed by ContributionSlot.key(datanetId, digest).
    mapping(bytes32 key => uint256 packed) private _contributions;
    /// @dev Commitments not yet revealed: commit block | nextContributionId at the commit << 64.
    mapping(bytes32 commitment => uint256 packed) private _commits;
    /// @dev Per (Datanet, contributor): day << 64 | bytes submitted that day.
    mapping(uint256 datanetId => mapping(address contributor => uint256 packed)) private _daily;
    mapping(uint256 datanetId => mapping(address validator => bool)) private _validators;
    mapping(uint256 datanetId => mapping(uint256 versionId => Version)) private _versions;
    mapping(uint256 datanetId => mapping(uint256 versionId => mapping(address account => bool))) private _grants;
    /// @inheritdoc IDatanetRegistry
    mapping(address contributor => uint256) public batchNonce;
    /// @inheritdoc IDatanetRegistry
    mapping(address account => uint256) public owed;
    /// @inheritdoc IDatanetRegistry
    mapping(address contributor => uint256) public bondedOf;

    /* CONSTRUCTOR */

    /// @param open_ The OPEN token.
    /// @param governance_ The governance address (Timelock).
    /// @param treasury_ The treasury.
    constructor(IERC20 open_, address governance_, address treasury_) EIP712("DatanetRegistry", "1") {
        if (address(open_) == address(0) || governance_ == address(0) || treasury_ == address(0)) {
            revert DatanetZeroAddress();
        }
        open = open_;
        governance = governance_;
        treasury = treasury_;
    }

    /* MODIFIERS */

    modifier onlyGovernance() {
        if (msg.sender != governance) revert DatanetNotGovernance(msg.sender);
        _;
    }

    /* DATANET MANAGEMENT */

    /// @inheritdoc IDatanetRegistry
    function createDatanet(string calldata metadataURI, DataType dataType, uint64 declaredBytes, Rules calldata rules)
        external
        returns (uint256 datanetId)
    {
        if (declaredBytes > MAX_DECLARED_BYTES) revert DatanetRuleOutOfBounds("declaredBytes", declaredBytes);
        datanetId = ++datanetCount;
        DatanetData storage dn = _datanets[datanetId];
        dn.owner = msg.sender;
        dn.state = DatanetState.Draft;
        dn.dataType = dataType;
        dn.declaredBytes = declaredBytes;
        _metadataURI[datanetId] = metadataURI;
        emit DatanetCreated(datanetId, msg.sender, dataType, declaredBytes, metadataURI);
        _setRules(datanetId, dn, rules);
    }

    /// @inheritdoc IDatanetRegistry
    function publishDatanet(uint256 datanetId) external nonReentrant {
        DatanetData storage dn = _ownedDatanet(datanetId);
        if (dn.state != DatanetState.Draft) revert DatanetBadState(datanetId, dn.state);
        uint256 fee = _publishFee(dn.declaredBytes);
        dn.state = DatanetState.Published;
        emit DatanetStateChanged(datanetId, DatanetState.Published, fee);
        if (fee != 0) open.safeTransferFrom(msg.sender, treasury, fee);
    }

    /// @inheritdoc IDatanetRegistry
    function archiveDatanet(uint256 datanetId) external {
        DatanetData storage dn = _ownedDatanet(datanetId);
        if (dn.state != DatanetState.Published) revert DatanetBadState(datanetId, dn.state);
        dn.state = DatanetState.Archived;
        emit DatanetStateChanged(datanetId, DatanetState.Archived, 0);
    }

    /// @inheritdoc IDatanetRegistry
    function setRules(uint256 datanetId, Rules calldata rules) external {
        DatanetData storage dn = _ownedDatanet(datanetId);
        if (dn.state == DatanetState.Archived) revert DatanetBadState(datanetId, dn.state);
        _setRules(datanetId, dn, rules);
    }

    /// @inheritdoc IDatanetRegistry
    function setMetadataURI(uint256 datanetId, string calldata metadataURI) external {
        _ownedDatanet(datanetId);
        _metadataURI[datanetId] = metadataURI;
        emit DatanetMetadataSet(datanetId, metadataURI);
    }

    /// @inheritdoc IDatanetRegistry
    function transferDatanetOwnership(uint256 datanetId, address newOwner) external {
        DatanetData storage dn = _ownedDatanet(datanetId);
        if (newOwner == address(0)) revert DatanetZeroAddress();
        dn.owner = newOwner;
        emit DatanetOwnerChanged(datanetId, msg.sender, newOwner);
    }

    /// @inheritdoc IDatanetRegistry
    function setValidator(uint256 datanetId, address validator, bool enabled) external {
        _ownedDatanet(datanetId);
        if (validator == address(0)) revert DatanetZeroAddress();
        _validators[datanetId][validator] = enabled;
        emit ValidatorSet(datanetId, validator, enabled);
    }

    /* CONTRIBUTIONS */

    /// @inheritdoc IDatanetRegistry
    function commitContribution(bytes32 commitment) external {
        if (_commits[commitment] != 0) revert DatanetCommitExists(commitment);
        _commits[commitment] = block.number | (nextContributionId << 64);
        emit ContributionCommitted(commitment, msg.sender);
    }

    /// @inheritdoc IDatanetRegistry
    function contributeBatch(uint256 datanetId, bytes calldata items, uint256 maxBond, bytes32 salt)
        external
        nonReentrant
        returns (uint256 firstId)
    {
        uint256 commit = _reveal(msg.sender, datanetId, DatanetItems.hash(items), salt);
        firstId = _submit(datanetId, msg.sender, items, commit, maxBond);
    }

    /// @inheritdoc IDatanetRegistry
    function contributeBySig(
        uint256 datanetId,
        address contributor,
        bytes calldata items,
        BatchTerms calldata terms,
        bytes calldata signature
    ) external nonReentrant returns (uint256 firstId) {
        bytes32 itemsHash = DatanetItems.hash(items);
        _useBatchSignature(datanetId, contributor, itemsHash, terms, signature);
        uint256 commit = _reveal(contributor, datanetId, itemsHash, terms.salt);
        firstId = _submit(datanetId, contributor, items, commit, terms.maxBond);
        emit ContributionBatchRelayed(
            datanetId, contributor, msg.sender, terms.nonce, items.length / DatanetItems.ITEM_BYTES
        );
    }

    /* VALIDATION */

    /// @inheritdoc IDatanetRegistry
    function approve(uint256 datanetId, bytes32[] calldata digests) external {
        DatanetData storage dn = _validatedDatanet(datanetId);
        uint256 n = digests.length;
        if (n == 0) revert DatanetEmptyList();
        uint256 released;
        for (uint256 i; i < n; ++i) {
            bytes32 digest = digests[i];
            bytes32 k = ContributionSlot.key(datanetId, digest);
            uint256 s = _contributions[k];
            _requirePending(datanetId, digest, s);
            _contributions[k] = s.withStatus(uint256(ContributionStatus.Approved));
            uint256 bond = _bondSchedule[datanetId][s.bondIndex()];
            if (bond != 0) {
                address contributor = s.contributor();
                bondedOf[contributor] -= bond;
                _credit(contributor, bond);
                released += bond;
            }
            emit ContributionApproved(datanetId, s.id(), msg.sender, digest);
        }
        dn.approvedCount += uint64(n);
        totalBonded -= released;
    }

    /// @inheritdoc IDatanetRegistry
    function reject(uint256 datanetId, bytes32[] calldata digests, RejectReason reason) external {
        if (reason == RejectReason.None) revert DatanetBadReason(reason);
        _validatedDatanet(datanetId);
        bool malicious = reason == RejectReason.Malicious;
        uint256 n = digests.length;
        if (n == 0) revert DatanetEmptyList();
        uint256 released;
        uint256 forfeitedTotal;
        for (uint256 i; i < n; ++i) {
            bytes32 digest = digests[i];
            bytes32 k = ContributionSlot.key(datanetId, digest);
            uint256 s = _contributions[k];
            _requirePending(datanetId, digest, s);
            _contributions[k] = s.withStatus(uint256(ContributionStatus.Rejected));
            uint256 bond = _bondSchedule[datanetId][s.bondIndex()];
            uint256 forfeited;
            if (bond != 0) {
                address contributor = s.contributor();
                bondedOf[contributor] -= bond;
                forfeited = malicious ? (bond * slashBps) / BPS : 0;
                if (bond > forfeited) _credit(contributor, bond - forfeited);
                released += bond;
                forfeitedTotal += forfeited;
            }
            emit ContributionRejected(datanetId, s.id(), msg.sender, digest, reason, forfeited);
        }
        totalBonded -= released;
        if (forfeitedTotal != 0) {
            uint256 toValidator = (forfeitedTotal * validatorShareBps) / BPS;
            if (toValidator != 0) _credit(msg.sender, toValidator);
            if (forfeitedTotal > toValidator) _credit(treasury, forfeitedTotal - toValidator);
        }
    }

    /* VERSIONS */

    /// @inheritdoc IDatanetRegistry
    function publishVersion(uint256 datanetId, bytes32 root, uint64 count, string calldata metadataCID)
        external
        returns (uint256 versionId)
    {
        DatanetData storage dn = _ownedDatanet(datanetId);
        if (dn.state != DatanetState.Published) revert DatanetBadState(datanetId, dn.state);
        if (root == bytes32(0) || count == 0 || count < dn.lastVersionCount || count > dn.approvedCount) {
            revert DatanetBadVersion(datanetId, root, count);
        }
        versionId = ++dn.versionCount;
        dn.lastVersionCount = count;
        _versions[datanetId][versionId] = Version(root, count, uint64(block.timestamp));
        emit VersionPublished(datanetId, versionId, root, count, metadataCID);
    }

    /* ACCESS */

    /// @inheritdoc IDatanetRegistry
    function requestAccess(uint256 datanetId, uint256 versionId) external {
        DatanetData storage dn = _accessibleVersion(datanetId, versionId, msg.sender);
        if (dn.flags & FLAG_OPEN_ACCESS != 0) revert DatanetAccessMode(datanetId, true);
        emit AccessRequested(datanetId, versionId, msg.sender);
    }

    /// @inheritdoc IDatanetRegistry
    function grantAccess(uint256 datanetId, uint256 versionId, address account) external {
        _ownedDatanet(datanetId);
        if (account == address(0)) revert DatanetZeroAddress();
        _accessibleVersion(datanetId, versionId, account);
        _grants[datanetId][versionId][account] = true;
        emit AccessGranted(datanetId, versionId, account, 0);
    }

    /// @inheritdoc IDatanetRegistry
    function denyAccess(uint256 datanetId, uint256 versionId, address account) external {
        _ownedDatanet(datanetId);
        _accessibleVersion(datanetId, versionId, account);
        emit AccessDenied(datanetId, versionId, account);
    }

    /// @inheritdoc IDatanetRegistry
    function buyAccess(uint256 datanetId, uint256 versionId, uint256 maxFee) external nonReentrant {
        DatanetData storage dn = _accessibleVersion(datanetId, versionId, msg.sender);
        if (dn.flags & FLAG_OPEN_ACCESS == 0) revert DatanetAccessMode(datanetId, false);
        uint256 fee = dn.accessFee;
        if (fee > maxFee) revert DatanetFeeAboveMax(datanetId, fee, maxFee);
        _grants[datanetId][versionId][msg.sender] = true;
        emit AccessGranted(datanetId, versionId, msg.sender, fee);
        if (fee != 0) open.safeTransferFrom(msg.sender, dn.owner, fee);
    }

    /* PAYOUTS */

    /// @inheritdoc IDatanetRegistry
    function withdraw(address account) external nonReentrant returns (uint256 amount) {
        amount = owed[account];
        if (amount == 0) revert DatanetNothingOwed(account);
        owed[account] = 0;
        totalOwed -= amount;
        emit Withdrawn(account, amount);
        open.safeTransfer(account, amount);
    }

    /* GOVERNANCE */

    /// @inheritdoc IDatanetRegistry
    function setPublishFee(uint256 base, uint256 perMB) external onlyGovernance {
        if (base > MAX_PUBLISH_FEE_BASE) revert DatanetParamOutOfBounds("publishFeeBase", base);
        if (perMB > MAX_PUBLISH_FEE_PER_MB) revert DatanetParamOutOfBounds("publishFeePerMB", perMB);
        publishFeeBase = base;
        publishFeePerMB = perMB;
        emit PublishFeeSet(base, perMB);
    }

    /// @inheritdoc IDatanetRegistry
    function setSlashing(uint16 slashBps_, uint16 validatorShareBps_) external onlyGovernance {
        if (slashBps_ > BPS) revert DatanetParamOutOfBounds("slashBps", slashBps_);
        if (validatorShareBps_ > BPS) revert DatanetParamOutOfBounds("validatorShareBps", validatorShareBps_);
        slashBps = slashBps_;
        validatorShareBps = validatorShareBps_;
        emit SlashingSet(slashBps_, validatorShareBps_);
    }

    /// @inheritdoc IDatanetRegistry
    function setStakingRegistry(address stakingRegistry_) external onlyGovernance {
        stakingRegistry = IOperatorStaking(stakingRegistry_);
        emit StakingRegistrySet(stakingRegistry_);
    }

    /* VIEWS */

    /// @inheritdoc IDatanetAccess
    function hasAccess(uint256 datanetId, uint256 versionId, address account) external view returns (bool) {
        if (_versions[datanetId][versionId].root == bytes32(0)) return false;
        return account == _datanets[datanetId].owner || _grants[datanetId][versionId][account];
    }

    /// @inheritdoc IDatanetAccess
    function versionRoot(uint256 datanetId, uint256 versionId) external view returns (bytes32) {
        return _versions[datanetId][versionId].root;
    }

    /// @inheritdoc IDatanetRegistry
    function getDatanet(uint256 datanetId) external view returns (DatanetInfo memory info) {
        DatanetData storage dn = _existing(datanetId);
        info = DatanetInfo({
            owner: dn.owner,
            state: dn.state,
            dataType: dn.dataType,
            declaredBytes: dn.declaredBytes,
            approvedCount: dn.approvedCount,
            versionCount: dn.versionCount,
            rules: Rules({
                maxItemSize: dn.maxItemSize,
                dailyLimit: dn.dailyLimit,
                bond: dn.bond,
                validatorGated: dn.flags & FLAG_GATED != 0,
                acceptStakedValidators: dn.flags & FLAG_STAKED_VALIDATORS != 0,
                openAccess: dn.flags & FLAG_OPEN_ACCESS != 0,
                accessFee: dn.accessFee
            }),
            metadataURI: _metadataURI[datanetId]
        });
    }

    /// @inheritdoc IDatanetRegistry
    function getContribution(uint256 datanetId, bytes32 digest) external view returns (Contribution memory c) {
        uint256 s = _contributions[ContributionSlot.key(datanetId, digest)];
        if (s == 0) return c;
        uint256 status = s.status();
        c = Contribution({
            id: s.id(),
            contributor: s.contributor(),
            size: uint32(s.size()),
            status: ContributionStatus(status),
            bond: status == uint256(ContributionStatus.Pending) ? _bondSchedule[datanetId][s.bondIndex()] : 0
        });
    }

    /// @inheritdoc IDatanetRegistry
    function getVersion(uint256 datanetId, uint256 versionId) external view returns (Version memory v) {
        v = _versions[datanetId][versionId];
        if (v.root == bytes32(0)) revert DatanetVersionNotFound(datanetId, versionId);
    }

    /// @inheritdoc IDatanetRegistry
    function verifyContribution(
        uint256 datanetId,
        uint256 versionId,
        uint256 contributionId,
        bytes32 digest,
        address contributor,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 root = _versions[datanetId][versionId].root;
        if (root == bytes32(0)) return false;
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(contributionId, digest, contributor))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IDatanetRegistry
    function isValidator(uint256 datanetId, address account) public view returns (bool) {
        if (_validators[datanetId][account]) return true;
        IOperatorStaking staking = stakingRegistry;
        return _datanets[datanetId].flags & FLAG_STAKED_VALIDATORS != 0 && address(staking) != address(0)
            && staking.isActiveOperator(account, OperatorRole.Validator);
    }

    /// @inheritdoc IDatanetRegistry
    function publishFeeOf(uint256 datanetId) external view returns (uint256) {
        return _publishFee(_existing(datanetId).declaredBytes);
    }

    /// @inheritdoc IDatanetRegistry
    function contributionBatchDigest(
        address contributor,
        uint256 datanetId,
        bytes32 itemsHash,
        uint256 maxBond,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _batchDigest(contributor, datanetId, itemsHash, maxBond, nonce, deadline);
    }

    /// @inheritdoc IDatanetRegistry
    function commitBlock(bytes32 commitment) external view returns (uint256) {
        return uint64(_commits[commitment]);
    }

    /// @inheritdoc IDatanetRegistry
    function dailyBytes(uint256 datanetId, address contributor) external view returns (uint256) {
        uint256 packed = _daily[datanetId][contributor];
        return (packed >> 64) == block.timestamp / 1 days ? uint64(packed) : 0;
    }

    /// @notice The EIP-712 domain separator of this registry.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /* INTERNAL */

    /// @dev Records the packed `items` of `contributor`, whose commitment `commit` was just revealed: one slot and
    /// one event per item; ids, daily bytes, bonds and counters once per batch.
    function _submit(uint256 datanetId, address contributor, bytes calldata items, uint256 commit, uint256 maxBond)
        private
        returns (uint256 firstId)
    {
        (DatanetData storage dn, uint256 head) = _batchHead(datanetId, contributor, commit, maxBond);
        uint256 total;
        (firstId, total) = _record(datanetId, items, head, commit | (uint256(dn.maxItemSize) << MAX_SIZE_SHIFT));
        // Taken-over items that stay Approved are neither bonded nor counted again.
        uint256 counted = items.length / DatanetItems.ITEM_BYTES - (total >> KEPT_SHIFT);
        _settleBatch(datanetId, dn, contributor, counted, uint128(total), head.status());
    }

    /// @dev The Datanet open to a batch of `contributor` committed as `commit` within `maxBond`, and the slot fields
    /// its items share.
    function _batchHead(uint256 datanetId, address contributor, uint256 commit, uint256 maxBond)
        private
        view
        returns (DatanetData storage dn, uint256 head)
    {
        dn = _openDatanet(datanetId);
        uint256 status = _initialStatus(dn);
        if (status == uint256(ContributionStatus.Pending) && dn.bond > maxBond) {
            revert DatanetBondAboveMax(datanetId, dn.bond, maxBond);
        }
        head = ContributionSlot.head(contributor, dn.bondIndex, status, uint64(commit));
    }

    /// @dev The per-item loop: checks, one packed slot, one event. Takes the batch's ids; returns the first, and
    /// the items' total size with, above bit KEPT_SHIFT, the number of taken-over items that stayed Approved.
    /// `commit` is the revealed commitment's record with the Datanet's max item size above bit MAX_SIZE_SHIFT.
    function _record(uint256 datanetId, bytes calldata items, uint256 head, uint256 commit)
        private
        returns (uint256 firstId, uint256 total)
    {
        firstId = _takeIds(_itemCount(items));
        for (uint256 i; i < items.length / DatanetItems.ITEM_BYTES; ++i) {
            (bytes32 digest, uint256 size) = DatanetItems.at(items, i);
            if (digest == bytes32(0)) revert DatanetZeroDigest(i);
            if (size == 0 || size > commit >> MAX_SIZE_SHIFT) {
                revert DatanetItemSize(datanetId, digest, size, commit >> MAX_SIZE_SHIFT);
            }
            bytes32 k = ContributionSlot.key(datanetId, digest);
            uint256 s = _contributions[k];
            if (s == 0) {
                s = head.withItem(firstId + i, size);
                _contributions[k] = s;
                _emitSubmitted(datanetId, digest, s);
            } else if (_reassign(datanetId, digest, s, head.withItem(0, size), commit)) {
                total += 1 << KEPT_SHIFT;
            }
            unchecked {
                total += size;
            }
        }
    }

    /// @dev Checks `contributor`'s signature of a batch with `terms` and consumes its nonce.
    function _useBatchSignature(
        uint256 datanetId,
        address contributor,
        bytes32 itemsHash,
        BatchTerms calldata terms,
        bytes calldata signature
    ) private {
        if (block.timestamp > terms.deadline) revert DatanetExpired(terms.deadline);
        uint256 expected = batchNonce[contributor];
        if (terms.nonce != expected) revert DatanetBadNonce(contributor, expected, terms.nonce);
        bytes32 digest = _batchDigest(contributor, datanetId, itemsHash, terms.maxBond, expected, terms.deadline);
        if (!SignatureChecker.isValidSignatureNow(contributor, digest, signature)) {
            revert DatanetBadSignature(contributor);
        }
        batchNonce[contributor] = expected + 1;
    }

    /// @dev Consumes the commitment of `contributor` to `itemsHash` with `salt` if it may be revealed in this block;
    /// returns its packed record.
    function _reveal(address contributor, uint256 datanetId, bytes32 itemsHash, bytes32 salt)
        private
        returns (uint256 commit)
    {
        bytes32 commitment = keccak256(abi.encode(contributor, datanetId, itemsHash, salt));
        commit = _commits[commitment];
        uint256 at = uint64(commit);
        if (commit == 0 || block.number <= at || block.number > at + REVEAL_WINDOW) {
            revert DatanetRevealNotOpen(commitment, at);
        }
        delete _commits[commitment];
    }

    /// @dev The number of packed items, reverting unless it is between 1 and MAX_BATCH_ITEMS.
    function _itemCount(bytes calldata items) private pure returns (uint256 n) {
        n = items.length / DatanetItems.ITEM_BYTES;
        if (n == 0 || n > MAX_BATCH_ITEMS || items.length % DatanetItems.ITEM_BYTES != 0) {
            revert DatanetBadItems(items.length);
        }
    }

    function _emitSubmitted(uint256 datanetId, bytes32 digest, uint256 s) private {
        emit ContributionSubmitted(
            datanetId, s.id(), s.contributor(), digest, uint32(s.size()), ContributionStatus(s.status())
        );
    }

    /// @dev `digest` is already recorded as `s`. The revealing batch (slot `rec` without id; committed at block
    /// `uint64(commit)`, when the next id was `commit >> 64`) takes it over if the record was revealed after that
    /// commit (its id is at or above the watermark) and committed strictly later: then its commit lies within
    /// REVEAL_WINDOW blocks of this one and its stored low bits order the two. A pending bond of the previous
    /// contributor goes to the treasury. Returns whether the record stays Approved.
    function _reassign(uint256 datanetId, bytes32 digest, uint256 s, uint256 rec, uint256 commit)
        private
        returns (bool keptApproved)
    {
        address previous = s.contributor();
        uint256 id = s.id();
        if (
            id < (commit >> 64) & ContributionSlot.MAX_ID || !s.committedAfter(uint64(commit))
                || previous == rec.contributor()
        ) {
            revert DatanetDuplicate(datanetId, digest);
        }
        uint256 old = s.status();
        keptApproved = old == uint256(ContributionStatus.Approved);
        uint256 forfeited;
        if (old == uint256(ContributionStatus.Pending)) {
            forfeited = _bondSchedule[datanetId][s.bondIndex()];
            if (forfeited != 0) {
                bondedOf[previous] -= forfeited;
                totalBonded -= forfeited;
                _credit(treasury, forfeited);
            }
        }
        if (keptApproved) rec = rec.withStatus(old);
        _contributions[ContributionSlot.key(datanetId, digest)] = rec.withItem(id, 0);
        emit ContributionReassigned(
            datanetId, id, rec.contributor(), previous, digest, ContributionStatus(rec.status()), forfeited
        );
    }

    /// @dev Once per batch: daily bytes, then approved count (open Datanet) or bonds (gated Datanet).
    function _settleBatch(
        uint256 datanetId,
        DatanetData storage dn,
        address contributor,
        uint256 n,
        uint256 bytesTotal,
        uint256 status
    ) private {
        uint256 today = block.timestamp / 1 days;
        uint256 packed = _daily[datanetId][contributor];
        uint256 used = (packed >> 64) == today ? uint64(packed) : 0;
        uint256 limit = dn.dailyLimit;
        if (used + bytesTotal > limit) revert DatanetDailyLimit(datanetId, contributor, used + bytesTotal, limit);
        _daily[datanetId][contributor] = (today << 64) | (used + bytesTotal);
        if (status == uint256(ContributionStatus.Approved)) {
            dn.approvedCount += uint64(n);
            return;
        }
        uint256 bondTotal = uint256(dn.bond) * n;
        if (bondTotal != 0) {
            bondedOf[contributor] += bondTotal;
            totalBonded += bondTotal;
            open.safeTransferFrom(contributor, address(this), bondTotal);
        }
    }

    function _setRules(uint256 datanetId, DatanetData storage dn, Rules calldata r) private {
        uint32 maxItemSize = r.maxItemSize == 0 ? DEFAULT_MAX_ITEM_SIZE : r.maxItemSize;
        uint32 dailyLimit = r.dailyLimit == 0 ? DEFAULT_DAILY_LIMIT : r.dailyLimit;
        if (maxItemSize > MAX_ITEM_SIZE_BOUND) revert DatanetRuleOutOfBounds("maxItemSize", maxItemSize);
        if (dailyLimit > MAX_DAILY_LIMIT_BOUND || dailyLimit < maxItemSize) {
            revert DatanetRuleOutOfBounds("dailyLimit", dailyLimit);
        }
        if (r.bond > MAX_BOND) revert DatanetRuleOutOfBounds("bond", r.bond);
        if (r.accessFee > MAX_ACCESS_FEE) revert DatanetRuleOutOfBounds("accessFee", r.accessFee);
        uint96[] storage schedule = _bondSchedule[datanetId];
        uint256 changes = schedule.length;
        if (changes == 0 || schedule[changes - 1] != r.bond) {
            if (changes > MAX_BOND_CHANGES) revert DatanetRuleOutOfBounds("bondChanges", changes);
            schedule.push(r.bond);
            dn.bondIndex = uint16(changes);
        }
        dn.maxItemSize = maxItemSize;
        dn.dailyLimit = dailyLimit;
        dn.bond = r.bond;
        dn.accessFee = r.accessFee;
        dn.flags = (r.validatorGated ? FLAG_GATED : 0) | (r.acceptStakedValidators ? FLAG_STAKED_VALIDATORS : 0)
            | (r.openAccess ? FLAG_OPEN_ACCESS : 0);
        emit DatanetRulesSet(
            datanetId,
            Rules(
                maxItemSize, dailyLimit, r.bond, r.validatorGated, r.acceptStakedValidators, r.openAccess, r.accessFee
            ),
            dn.bondIndex
        );
    }

    function _credit(address account, uint256 amount) private {
        owed[account] += amount;
        totalOwed += amount;
        emit Credited(account, amount);
    }

    function _takeIds(uint256 n) private returns (uint256 firstId) {
        firstId = nextContributionId;
        if (firstId + n - 1 > ContributionSlot.MAX_ID) revert DatanetBadItems(n);
        nextContributionId = firstId + n;
    }

    function _initialStatus(DatanetData storage dn) private view returns (uint256) {
        return dn.flags & FLAG_GATED != 0 ? uint256(ContributionStatus.Pending) : uint256(ContributionStatus.Approved);
    }

    function _requirePending(uint256 datanetId, bytes32 digest, uint256 s) private pure {
        if (s.status() != uint256(ContributionStatus.Pending)) {
            revert DatanetNotPending(datanetId, digest, ContributionStatus(s.status()));
        }
    }

    function _publishFee(uint256 declaredBytes) private view returns (uint256) {
        return publishFeeBase + publishFeePerMB * ((declaredBytes + BYTES_PER_MB - 1) / BYTES_PER_MB);
    }

    function _batchDigest(
        address contributor,
        uint256 datanetId,
        bytes32 itemsHash,
        uint256 maxBond,
        uint256 nonce,
        uint256 deadline
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(CONTRIBUTION_BATCH_TYPEHASH, contributor, datanetId, itemsHash, maxBond, nonce, deadline)
            )
        );
    }

    function _existing(uint256 datanetId) private view returns (DatanetData storage dn) {
        dn = _datanets[datanetId];
        if (dn.state == DatanetState.None) revert DatanetNotFound(datanetId);
    }

    function _ownedDatanet(uint256 datanetId) private view returns (DatanetData storage dn) {
        dn = _existing(datanetId);
        if (dn.owner != msg.sender) revert DatanetNotOwner(datanetId, msg.sender);
    }

    function _openDatanet(uint256 datanetId) private view returns (DatanetData storage dn) {
        dn = _existing(datanetId);
        if (dn.state != DatanetState.Published) revert DatanetBadState(datanetId, dn.state);
    }

    /// @dev A Datanet whose pending contributions the caller may judge (Published or Archived).
    function _validatedDatanet(uint256 datanetId) private view returns (DatanetData storage dn) {
        dn = _existing(datanetId);
        if (!isValidator(datanetId, msg.sender)) revert DatanetNotValidator(datanetId, msg.sender);
    }

    /// @dev A published version that `account` does not yet have access to.
    function _accessibleVersion(uint256 datanetId, uint256 versionId, address account)
        private
        view
        returns (DatanetData storage dn)
    {
        dn = _existing(datanetId);
        if (_versions[datanetId][versionId].root == bytes32(0)) revert DatanetVersionNotFound(datanetId, versionId);
        if (account == dn.owner || _grants[datanetId][versionId][account]) {
            revert DatanetAlreadyGranted(datanetId, versionId, account);
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {IStakingRegistry} from "../interfaces/IStakingRegistry.sol";
import {IOperatorStaking} from "../interfaces/IOperatorStaking.sol";
import {IReceiptDomain} from "../interfaces/IReceiptDomain.sol";
import {OperatorRole} from "../types/Roles.sol";
import {UsageReceipt} from "../types/UsageReceipt.sol";
import {StakingSharesLib} from "../libraries/StakingSharesLib.sol";
import {StakeCheckpointsLib} from "../libraries/StakeCheckpointsLib.sol";
import {SlashWindowLib} from "../libraries/SlashWindowLib.sol";

/// @title StakingRegistry
/// @notice Operators (agents, serving nodes, validators) stake OPEN; holders delegate to them; rewards flow per
/// share minus the operator's commission; provable faults are slashed at once, subjective ones after a veto window.
/// @dev Governance (the Timelock) sets every parameter within the hard bounds below; the security council can only
/// veto a pending slash and pause new stake movements for at most {MAX_PAUSE_DURATION}, once per governance
/// (re-)appointment. No owner key. See {IStakingRegistry} for the pool model and the pause.
contract StakingRegistry is IStakingRegistry, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using StakeCheckpointsLib for StakeCheckpointsLib.Trace;

    /* CONSTANTS (hard bounds) */

    /// @notice Basis points in 100%.
    uint256 internal constant BPS = 10_000;
    /// @notice Fixed-point scale of the reward-per-share index.
    uint256 internal constant REWARD_PRECISION = 1e18;
    /// @notice The longest veto window governance may set.
    uint48 public constant MAX_VETO_WINDOW = 7 days;
    /// @notice The shortest veto window governance may set.
    uint48 internal constant MIN_VETO_WINDOW = 1 days;
    /// @notice The longest payout challenge window of the RewardsDistributor that this registry's delays cover
    /// (a lost dispute can be cited by a subjective slash before the stake can leave). Equals the distributor's
    /// own hard bound `MAX_CHALLENGE_WINDOW` (checked by the integration test).
    uint48 public constant MAX_PAYOUT_CHALLENGE_WINDOW = 14 days;
    /// @notice The shortest unbonding delay: strictly longer than the longest veto window plus the longest payout
    /// challenge window, so stake cannot flee a slash of a fault seen during either.
    uint48 public constant MIN_UNBONDING_DELAY = MAX_VETO_WINDOW + MAX_PAYOUT_CHALLENGE_WINDOW + 1 days;
    /// @notice The longest unbonding delay.
    uint48 internal constant MAX_UNBONDING_DELAY = 60 days;
    /// @notice A pending slash can be executed this long after its veto window, then only expires.
    uint48 internal constant SLASH_EXECUTION_WINDOW = 7 days;
    /// @notice Bounds of the slashing period.
    uint48 internal constant MIN_SLASH_PERIOD = 1 days;
    /// @notice Bounds of the slashing period.
    uint48 internal constant MAX_SLASH_PERIOD = 365 days;
    /// @notice Bounds of the per-period slash cap, in bps of stake.
    uint16 internal constant MIN_SLASH_CAP_BPS = 100;
    /// @notice Bounds of the per-period slash cap, in bps of stake.
    uint16 internal constant MAX_SLASH_CAP_BPS = 5_000;
    /// @notice Bounds of the objective slash, in bps of stake.
    uint16 internal constant MIN_OBJECTIVE_SLASH_BPS = 100;
    /// @notice Bounds of the objective slash, in bps of stake.
    uint16 internal constant MAX_OBJECTIVE_SLASH_BPS = 5_000;
    /// @notice The largest reporter reward, in bps of the objective slash.
    uint16 internal constant MAX_REPORTER_REWARD_BPS = 1_000;
    /// @notice The largest share of a subjective slash paid to the harmed party, in bps (the treasury keeps >= 10%).
    uint16 internal constant MAX_HARMED_PARTY_BPS = 9_000;
    /// @notice The highest operator commission, in bps.
    uint16 internal constant MAX_COMMISSION_BPS = 5_000;
    /// @notice Delay before a commission change takes effect (delegators can leave first).
    uint48 internal constant COMMISSION_CHANGE_DELAY = MIN_UNBONDING_DELAY;
    /// @notice Bounds of the jail cool-down.
    uint48 internal constant MIN_JAIL_COOLDOWN = 1 hours;
    /// @notice Bounds of the jail cool-down.
    uint48 internal constant MAX_JAIL_COOLDOWN = 90 days;
    /// @notice The longest pause the security council can impose; it then lapses by itself.
    uint48 public constant MAX_PAUSE_DURATION = 14 days;
    /// @notice Bounds of a role's minimum self-stake.
    uint256 internal constant MIN_MIN_STAKE = 1e18;
    /// @notice Bounds of a role's minimum self-stake.
    uint256 internal constant MAX_MIN_STAKE = 10_000_000e18;

    /* IMMUTABLES */

    /// @notice The OPEN token.
    IERC20 public immutable token;
    /// @notice The governance address (the Timelock): the only setter of parameters.
    address public immutable governance;
    /// @notice Receives the treasury's part of slashed stake.
    address public immutable treasury;

    /* STORAGE */

    /// @notice Minimum self-stake per role.
    mapping(OperatorRole role => uint256) public minStake;
    /// @notice Unbonding delay, seconds.
    uint48 public unbondingDelay;
    /// @notice Veto window of subjective slashes, seconds.
    uint48 public vetoWindow;
    /// @notice Slashing period for the per-operator cap, seconds.
    uint48 public slashPeriod;
    /// @notice Per-operator slash cap per period, bps of stake.
    uint16 public maxSlashBpsPerPeriod;
    /// @notice Objective slash size, bps of stake.
    uint16 public objectiveSlashBps;
    /// @notice Reporter's share of an objective slash, bps.
    uint16 public reporterRewardBps;
    /// @notice Jail cool-down, seconds.
    uint48 public jailCooldown;
    /// @notice Proposes subjective slashes.
    address public slasher;
    /// @notice Vetoes subjective slashes; can pause once per appointment.
    address public securityCouncil;
    /// @notice PaymentChannels (receipt signatures and channel nodes).
    IReceiptDomain public receiptDomain;
    /// @notice Contracts allowed to call {notifyReward}.
    mapping(address source => bool) public isRewardSource;
    /// @inheritdoc IStakingRegistry
    uint256 public rewardReserve;
    /// @notice The last withdrawal id issued.
    uint256 public lastWithdrawalId;
    /// @notice The last slash proposal id issued.
    uint256 public lastSlashId;
    /// @notice Objective faults already slashed.
    mapping(bytes32 faultId => bool) public faultSlashed;
    /// @inheritdoc IStakingRegistry
    uint256 public pausedUntil;
    /// @inheritdoc IStakingRegistry
    bool public pauseSpent;

    mapping(address operator => Operator) internal _operators;
    mapping(address operator => Pool) internal _pools;
    mapping(address delegator => mapping(address operator => Position)) internal _positions;
    mapping(uint256 withdrawalId => Withdrawal) internal _withdrawals;
    mapping(uint256 slashId => SlashProposal) internal _slashes;
    /// @dev Staked votes per account and their total: the latest checkpoint in one slot ({StakeCheckpointsLib}).
    mapping(address account => StakeCheckpointsLib.Trace) internal _stakedVotes;
    StakeCheckpointsLib.Trace internal _totalStakedVotes;
    /// @dev Each operator's recent slashes ({SlashWindowLib}): the per-period cap holds over any window.
    mapping(address operator => uint256 log) internal _slashLog;

    /* MODIFIERS */

    modifier onlyGovernance() {
        if (msg.sender != governance) revert StakingNotGovernance(msg.sender);
        _;
    }

    modifier whenNotPaused() {
        _notPaused();
        _;
    }

    /// @param token_ OPEN.
    /// @param governance_ The Timelock.
    /// @param treasury_ Receives the treasury's part of slashes.
    constructor(IERC20 token_, address governance_, address treasury_) {
        if (address(token_) == address(0) || governance_ == address(0) || treasury_ == address(0)) {
            revert StakingZeroAddress();
        }
        token = token_;
        governance = governance_;
        treasury = treasury_;
        _setMinStake(OperatorRole.Agent, 1_000e18);
        _setMinStake(OperatorRole.Node, 10_000e18);
        _setMinStake(OperatorRole.Validator, 10_000e18);
        _setVetoWindow(3 days);
        _setUnbondingDelay(28 days);
        _setSlashCap(30 days, 2_000);
        _setObjectiveSlash(1_000, 500);
        _setJailCooldown(7 days);
    }

    /* OPERATORS */

    /// @inheritdoc IStakingRegistry
    function register(OperatorRole role, string calldata metadataURI) external whenNotPaused {
        if (role == OperatorRole.None) revert StakingInvalidRole(role);
        Operator storage op = _operators[msg.sender];
        if (op.role != OperatorRole.None) revert StakingAlreadyRegistered(msg.sender);
        op.role = role;
        emit OperatorRegistered(msg.sender, role, metadataURI);
    }

    /// @inheritdoc IStakingRegistry
    function updateMetadata(string calldata metadataURI) external {
        _registered(msg.sender);
        emit OperatorMetadataUpdated(msg.sender, metadataURI);
    }

    /// @inheritdoc IStakingRegistry
    function setCommission(uint16 bps) external {
        Operator storage op = _registered(msg.sender);
        if (bps > MAX_COMMISSION_BPS) revert StakingCommissionTooHigh(bps, MAX_COMMISSION_BPS);
        op.commissionBps = _commission(op);
        op.pendingCommissionBps = bps;
        uint48 effectiveAt = uint48(block.timestamp) + COMMISSION_CHANGE_DELAY;
        op.commissionEffectiveAt = effectiveAt;
        emit CommissionChangeScheduled(msg.sender, bps, effectiveAt);
    }

    /// @inheritdoc IStakingRegistry
    function unjail() external {
        Operator storage op = _registered(msg.sender);
        if (!op.jailed) revert StakingOperatorNotJailed(msg.sender);
        if (block.timestamp < op.jailedUntil) revert StakingJailCooldown(msg.sender, op.jailedUntil);
        uint256 self = _selfStake(msg.sender);
        if (self < minStake[op.role]) revert StakingBelowMinimum(msg.sender, self, minStake[op.role]);
        op.jailed = false;
        emit OperatorUnjailed(msg.sender);
    }

    /* STAKING */

    /// @inheritdoc IStakingRegistry
    function stake(uint256 amount) external nonReentrant whenNotPaused returns (uint256) {
        _registered(msg.sender);
        return _deposit(msg.sender, msg.sender, amount);
    }

    /// @inheritdoc IStakingRegistry
    function delegate(address operator, uint256 amount) external nonReentrant whenNotPaused returns (uint256) {
        _registered(operator);
        return _deposit(msg.sender, operator, amount);
    }

    /// @inheritdoc IStakingRegistry
    function requestUnbond(address operator, uint256 amount) external whenNotPaused returns (uint256 withdrawalId) {
        if (amount == 0) revert StakingZeroAmount();
        Pool storage pool = _pools[operator];
        uint256 shares = _leaveActive(msg.sender, operator, pool, amount);
        uint256 uShares = StakingSharesLib.toSharesDown(amount, pool.unbondingAssets, pool.unbondingShares);
        if (uShares == 0) revert StakingZeroShares(amount);
        pool.unbondingAssets += amount.toUint128();
        pool.unbondingShares += uShares.toUint128();
        uint48 readyAt = uint48(block.timestamp) + unbondingDelay;
        withdrawalId = ++lastWithdrawalId;
        _withdrawals[withdrawalId] =
            Withdrawal({delegator: msg.sender, readyAt: readyAt, operator: operator, shares: uShares});
        emit UnbondRequested(withdrawalId, msg.sender, operator, amount, shares, uShares, readyAt);
    }

    /// @inheritdoc IStakingRegistry
    function withdraw(uint256 withdrawalId) external nonReentrant whenNotPaused returns (uint256 amount) {
        Withdrawal memory w = _withdrawals[withdrawalId];
        if (w.delegator != msg.sender || w.shares == 0) revert StakingUnknownWithdrawal(withdrawalId, msg.sender);
        if (block.timestamp < w.readyAt) revert StakingWithdrawalNotReady(withdrawalId, w.readyAt);
        uint256 pending = _operators[w.operator].pendingSlashes;
        if (pending != 0) revert StakingPendingSlash(w.operator, pending);
        Pool storage pool = _pools[w.operator];
        uint256 uAssets = pool.unbondingAssets;
        uint256 uShares = pool.unbondingShares;
        amount = StakingSharesLib.toAssetsDown(w.shares, uAssets, uShares);
        pool.unbondingAssets = (uAssets - amount).toUint128();
        pool.unbondingShares = (uShares - w.shares).toUint128();
        delete _withdrawals[withdrawalId];
        emit Withdrawn(withdrawalId, msg.sender, w.operator, amount);
        if (amount != 0) token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IStakingRegistry
    function claimRewards(address operator) external nonReentrant whenNotPaused returns (uint256 amount) {
        Position storage pos = _positions[msg.sender][operator];
        uint256 rps = _pools[operator].rewardPerShare;
        _accrue(pos, rps);
        pos.rewardDebt = _debt(pos.shares, rps);
        amount = pos.rewardOwed;
        if (amount == 0) revert StakingZeroAmount();
        pos.rewardOwed = 0;
        rewardReserve -= amount;
        emit RewardsClaimed(msg.sender, operator, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IStakingRegistry
    function syncVotes(address account, address operator) external {
        _sync(account, _positions[account][operator], _pools[operator]);
    }

    /// @inheritdoc IOperatorStaking
    function notifyReward(address operator, uint256 amount) external nonReentrant {
        if (!isRewardSource[msg.sender]) revert StakingNotRewardSource(msg.sender);
        if (amount == 0) revert StakingZeroAmount();
        Operator storage op = _registered(operator);
        Pool storage pool = _pools[operator];
        uint256 activeShares = pool.activeShares;
        uint256 commission = activeShares == 0 ? amount : (amount * _commission(op)) / BPS;
        uint256 rps = pool.rewardPerShare;
        if (activeShares != 0) {
            rps += Math.mulDiv(amount - commission, REWARD_PRECISION, activeShares);
            pool.rewardPerShare = rps;
        }
        if (commission != 0) _positions[operator][operator].rewardOwed += commission;
        rewardReserve += amount;
        emit RewardNotified(operator, msg.sender, amount, commission, rps);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /* SLASHING */

    /// @inheritdoc IStakingRegistry
    function slashObjective(
        UsageReceipt calldata a,
        bytes calldata signatureA,
        UsageReceipt calldata b,
        bytes calldata signatureB
    ) external nonReentrant returns (uint256 amount) {
        (address node, bytes32 faultId) = _objectiveFault(a, signatureA, b, signatureB);
        faultSlashed[faultId] = true;
        uint256 selfBefore = _selfStake(node);
        uint16 appliedBps;
        (appliedBps, amount) = _slash(node, objectiveSlashBps);
        // The reporter never gets more than the node itself lost, whatever its mix of own and delegated stake: a
        // node reporting itself through an accomplice cannot turn its delegators' losses into a profit.
        uint256 toReporter = Math.min((amount * reporterRewardBps) / BPS, selfBefore - _selfStake(node));
        emit Slashed(node, 0, faultId, appliedBps, amount, amount - toReporter, msg.sender, toReporter);
        _payOut(amount - toReporter, msg.sender, toReporter);
    }

    /// @inheritdoc IStakingRegistry
    function proposeSlash(address operator, uint16 bps, address harmedParty, uint16 harmedBps, bytes32 evidence)
        external
        returns (uint256 slashId)
    {
        if (msg.sender != slasher) revert StakingNotSlasher(msg.sender);
        Operator storage op = _registered(operator);
        if (bps == 0) revert StakingZeroAmount();
        if (bps > maxSlashBpsPerPeriod) revert StakingSlashExceedsCap(bps, maxSlashBpsPerPeriod);
        if (harmedBps > MAX_HARMED_PARTY_BPS || (harmedParty == address(0) && harmedBps != 0)) {
            revert StakingInvalidHarmedShare(harmedParty, harmedBps);
        }
        op.pendingSlashes += 1;
        uint48 vetoEndsAt = uint48(block.timestamp) + vetoWindow;
        slashId = ++lastSlashId;
        _slashes[slashId] = SlashProposal({
            operator: operator,
            bps: bps,
            harmedBps: harmedBps,
            vetoEndsAt: vetoEndsAt,
            status: SlashStatus.Pending,
            harmedParty: harmedParty,
            evidence: evidence
        });
        emit SlashProposed(slashId, operator, bps, harmedParty, harmedBps, evidence, vetoEndsAt);
    }

    /// @inheritdoc IStakingRegistry
    function vetoSlash(uint256 slashId) external {
        if (msg.sender != securityCouncil) revert StakingNotSecurityCouncil(msg.sender);
        SlashProposal storage s = _pendingSlash(slashId);
        if (block.timestamp >= s.vetoEndsAt) revert StakingVetoWindowClosed(slashId, s.vetoEndsAt);
        s.status = SlashStatus.Vetoed;
        _operators[s.operator].pendingSlashes -= 1;
        emit SlashVetoed(slashId, msg.sender);
    }

    /// @inheritdoc IStakingRegistry
    function executeSlash(uint256 slashId) external nonReentrant returns (uint256 amount) {
        SlashProposal storage s = _pendingSlash(slashId);
        uint256 vetoEndsAt = s.vetoEndsAt;
        if (block.timestamp < vetoEndsAt) revert StakingVetoWindowOpen(slashId, vetoEndsAt);
        if (block.timestamp >= vetoEndsAt + SLASH_EXECUTION_WINDOW) {
            revert StakingSlashExpired(slashId, vetoEndsAt + SLASH_EXECUTION_WINDOW);
        }
        address operator = s.operator;
        s.status = SlashStatus.Executed;
        _operators[operator].pendingSlashes -= 1;
        uint16 appliedBps;
        (appliedBps, amount) = _slash(operator, s.bps);
        uint256 toHarmed = (amount * s.harmedBps) / BPS;
        emit Slashed(operator, slashId, bytes32(0), appliedBps, amount, amount - toHarmed, s.harmedParty, toHarmed);
        _payOut(amount - toHarmed, s.harmedParty, toHarmed);
    }

    /// @inheritdoc IStakingRegistry
    function expireSlash(uint256 slashId) external {
        SlashProposal storage s = _pendingSlash(slashId);
        uint256 expiresAt = uint256(s.vetoEndsAt) + SLASH_EXECUTION_WINDOW;
        if (block.timestamp < expiresAt) revert StakingSlashNotExpired(slashId, expiresAt);
        s.status = SlashStatus.Expired;
        _operators[s.operator].pendingSlashes -= 1;
        emit SlashExpired(slashId);
    }

    /* PAUSE */

    /// @inheritdoc IStakingRegistry
    function pause() external {
        if (msg.sender != securityCouncil) revert StakingNotSecurityCouncil(msg.sender);
        if (pauseSpent) revert StakingPauseSpent(msg.sender);
        uint256 until = block.timestamp + MAX_PAUSE_DURATION;
        pausedUntil = until;
        pauseSpent = true;
        emit Paused(msg.sender, until);
    }

    /// @inheritdoc IStakingRegistry
    function unpause() external {
        if (msg.sender != governance && msg.sender != securityCouncil) revert StakingNotSecurityCouncil(msg.sender);
        if (block.timestamp >= pausedUntil) revert StakingNotPaused();
        pausedUntil = block.timestamp;
        emit Unpaused(msg.sender);
    }

    /* GOVERNANCE */

    /// @inheritdoc IStakingRegistry
    function setMinStake(OperatorRole role, uint256 amount) external onlyGovernance {
        _setMinStake(role, amount);
    }

    /// @inheritdoc IStakingRegistry
    function setDelays(uint48 unbondingDelay_, uint48 vetoWindow_) external onlyGovernance {
        _setUnbondingDelay(unbondingDelay_);
        _setVetoWindow(vetoWindow_);
    }

    /// @inheritdoc IStakingRegistry
    function setSlashParameters(
        uint48 period,
        uint16 maxBpsPerPeriod,
        uint16 objectiveBps,
        uint16 reporterBps,
        uint48 jailCooldown_
    ) external onlyGovernance {
        _setSlashCap(period, maxBpsPerPeriod);
        _setObjectiveSlash(objectiveBps, reporterBps);
        _setJailCooldown(jailCooldown_);
    }

    /// @inheritdoc IStakingRegistry
    function setSlasher(address slasher_) external onlyGovernance {
        slasher = slasher_;
        emit AddressSet("slasher", slasher_);
    }

    /// @inheritdoc IStakingRegistry
    function setSecurityCouncil(address council) external onlyGovernance {
        securityCouncil = council;
        pauseSpent = false;
        emit AddressSet("securityCouncil", council);
    }

    /// @inheritdoc IStakingRegistry
    function setReceiptDomain(address receiptDomain_) external onlyGovernance {
        if (receiptDomain_ == address(0)) revert StakingZeroAddress();
        receiptDomain = IReceiptDomain(receiptDomain_);
        emit AddressSet("receiptDomain", receiptDomain_);
    }

    /// @inheritdoc IStakingRegistry
    function setRewardSource(address source, bool allowed) external onlyGovernance {
        if (source == address(0)) revert StakingZeroAddress();
        isRewardSource[source] = allowed;
        emit RewardSourceSet(source, allowed);
    }

    /* VIEWS */

    /// @inheritdoc IOperatorStaking
    function isActiveOperator(address operator, OperatorRole role) external view returns (bool) {
        Operator storage op = _operators[operator];
        return role != OperatorRole.None && op.role == role && !op.jailed && _selfStake(operator) >= minStake[role];
    }

    /// @inheritdoc IOperatorStaking
    function getPastStakedVotes(address account, uint256 timepoint) external view returns (uint256) {
        return _stakedVotes[account].upperLookup(_pastKey(timepoint));
    }

    /// @inheritdoc IOperatorStaking
    function getPastTotalStaked(uint256 timepoint) external view returns (uint256) {
        return _totalStakedVotes.upperLookup(_pastKey(timepoint));
    }

    /// @inheritdoc IStakingRegistry
    function getStakedVotes(address account) external view returns (uint256) {
        return _stakedVotes[account].latest();
    }

    /// @inheritdoc IStakingRegistry
    function clock() public view returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @inheritdoc IStakingRegistry
    function operatorOf(address operator) external view returns (Operator memory) {
        return _operators[operator];
    }

    /// @inheritdoc IStakingRegistry
    function poolOf(address operator) external view returns (Pool memory) {
        return _pools[operator];
    }

    /// @inheritdoc IStakingRegistry
    function positionOf(address delegator, address operator) external view returns (Position memory) {
        return _positions[delegator][operator];
    }

    /// @inheritdoc IStakingRegistry
    function withdrawalOf(uint256 withdrawalId) external view returns (Withdrawal memory) {
        return _withdrawals[withdrawalId];
    }

    /// @inheritdoc IStakingRegistry
    function slashProposalOf(uint256 slashId) external view returns (SlashProposal memory) {
        return _slashes[slashId];
    }

    /// @inheritdoc IStakingRegistry
    function stakeValue(address delegator, address operator) public view returns (uint256) {
        Pool storage pool = _pools[operator];
        return
            StakingSharesLib.toAssetsDown(_positions[delegator][operator].shares, pool.activeAssets, pool.activeShares);
    }

    /// @inheritdoc IStakingRegistry
    function withdrawalValue(uint256 withdrawalId) external view returns (uint256) {
        Withdrawal storage w = _withdrawals[withdrawalId];
        Pool storage pool = _pools[w.operator];
        return StakingSharesLib.toAssetsDown(w.shares, pool.unbondingAssets, pool.unbondingShares);
    }

    /// @inheritdoc IStakingRegistry
    function pendingRewards(address delegator, address operator) external view returns (uint256) {
        Position storage pos = _positions[delegator][operator];
        uint256 accrued = Math.mulDiv(pos.shares, _pools[operator].rewardPerShare, REWARD_PRECISION);
        return pos.rewardOwed + (accrued > pos.rewardDebt ? accrued - pos.rewardDebt : 0);
    }

    /// @inheritdoc IStakingRegistry
    function recentSlashedBps(address operator) external view returns (uint256) {
        return SlashWindowLib.recent(_slashLog[operator], block.timestamp, slashPeriod);
    }

    /// @inheritdoc IStakingRegistry
    function commissionOf(address operator) external view returns (uint16) {
        return _commission(_operators[operator]);
    }

    /* INTERNAL: STAKE MOVEMENTS */

    /// @dev Mints active shares for `amount` and adds it to `delegator`'s votes.
    function _deposit(address delegator, address operator, uint256 amount) internal returns (uint256 shares) {
        if (amount == 0) revert StakingZeroAmount();
        Operator storage op = _operators[operator];
        if (op.jailed) revert StakingOperatorJailed(operator, op.jailedUntil);
        Pool storage pool = _pools[operator];
        uint256 activeAssets = pool.activeAssets;
        uint256 activeShares = pool.activeShares;
        shares = StakingSharesLib.toSharesDown(amount, activeAssets, activeShares);
        if (shares == 0) revert StakingZeroShares(amount);
        Position storage pos = _positions[delegator][operator];
        uint256 rps = pool.rewardPerShare;
        uint256 posShares = pos.shares;
        uint256 principalBefore = pos.principal;
        uint256 synced = principalBefore;
        if (posShares != 0) {
            _accrue(pos, rps);
            synced = Math.min(principalBefore, StakingSharesLib.toAssetsDown(posShares, activeAssets, activeShares));
        }
        uint256 principalAfter = synced + amount;
        pos.shares = posShares + shares;
        pos.principal = principalAfter;
        pos.rewardDebt = _debt(posShares + shares, rps);
        pool.activeAssets = (activeAssets + amount).toUint128();
        pool.activeShares = (activeShares + shares).toUint128();
        _moveVotes(delegator, principalBefore, principalAfter);
        emit Delegated(delegator, operator, amount, shares);
        token.safeTransferFrom(delegator, address(this), amount);
    }

    /// @dev Burns the active shares worth `amount` of `delegator`'s position, accrues its rewards and takes the
    /// amount (after syncing slashes) out of its votes.
    function _leaveActive(address delegator, address operator, Pool storage pool, uint256 amount)
        internal
        returns (uint256 shares)
    {
        Position storage pos = _positions[delegator][operator];
        uint256 activeAssets = pool.activeAssets;
        uint256 activeShares = pool.activeShares;
        uint256 value = StakingSharesLib.toAssetsDown(pos.shares, activeAssets, activeShares);
        if (amount > value) revert StakingInsufficientStake(delegator, operator, amount, value);
        shares = StakingSharesLib.toSharesUp(amount, activeAssets, activeShares);
        uint256 rps = pool.rewardPerShare;
        _accrue(pos, rps);
        uint256 principalBefore = pos.principal;
        uint256 synced = Math.min(principalBefore, value);
        uint256 principalAfter = synced > amount ? synced - amount : 0;
        uint256 remaining = pos.shares - shares;
        pos.shares = remaining;
        pos.principal = principalAfter;
        pos.rewardDebt = _debt(remaining, rps);
        pool.activeAssets = (activeAssets - amount).toUint128();
        pool.activeShares = (activeShares - shares).toUint128();
        _moveVotes(delegator, principalBefore, principalAfter);
    }

    /// @dev Cuts `bps` of both pools of `operator`, clipped so that the slashes of any window of `slashPeriod` sum
    /// to at most the cap, and jails it.
    function _slash(address operator, uint16 bps) internal returns (uint16 appliedBps, uint256 amount) {
        uint256 log = _slashLog[operator];
        uint256 period = slashPeriod;
        uint256 slashed = SlashWindowLib.recent(log, block.timestamp, period);
        uint256 cap = maxSlashBpsPerPeriod;
        uint256 available = cap > slashed ? cap - slashed : 0;
        appliedBps = bps < available ? bps : uint16(available);
        if (appliedBps != 0) _slashLog[operator] = SlashWindowLib.record(log, block.timestamp, appliedBps, period);
        Pool storage pool = _pools[operator];
        uint256 activeCut = (uint256(pool.activeAssets) * appliedBps) / BPS;
        uint256 unbondingCut = (uint256(pool.unbondingAssets) * appliedBps) / BPS;
        pool.activeAssets -= activeCut.toUint128();
        pool.unbondingAssets -= unbondingCut.toUint128();
        amount = activeCut + unbondingCut;
        Operator storage op = _operators[operator];
        uint48 jailedUntil = uint48(block.timestamp) + jailCooldown;
        op.jailed = true;
        op.jailedUntil = jailedUntil;
        emit OperatorJailed(operator, jailedUntil);
    }

    /// @dev Sends a slash's parts (effects already done).
    function _payOut(uint256 toTreasury, address recipient, uint256 toRecipient) internal {
        if (toTreasury != 0) token.safeTransfer(treasury, toTreasury);
        if (toRecipient != 0) token.safeTransfer(recipient, toRecipient);
    }

    /* INTERNAL: REWARDS AND VOTES */

    /// @dev Moves accrued rewards of `pos` into `rewardOwed` (rewardDebt must be reset by the caller).
    function _accrue(Position storage pos, uint256 rps) internal {
        uint256 accrued = Math.mulDiv(pos.shares, rps, REWARD_PRECISION);
        uint256 debt = pos.rewardDebt;
        if (accrued > debt) pos.rewardOwed += accrued - debt;
    }

    /// @dev Reward debt rounds up so that the sum of payouts never exceeds what was notified.
    function _debt(uint256 shares, uint256 rps) internal pure returns (uint256) {
        return Math.mulDiv(shares, rps, REWARD_PRECISION, Math.Rounding.Ceil);
    }

    /// @dev Brings `account`'s votes for a position down to the position's value.
    function _sync(address account, Position storage pos, Pool storage pool) internal {
        uint256 before = pos.principal;
        uint256 value = StakingSharesLib.toAssetsDown(pos.shares, pool.activeAssets, pool.activeShares);
        if (value < before) {
            pos.principal = value;
            _moveVotes(account, before, value);
        }
    }

    /// @dev Checkpoints the change of one position's principal in `account`'s votes and the total.
    function _moveVotes(address account, uint256 before, uint256 after_) internal {
        if (before == after_) return;
        StakeCheckpointsLib.Trace storage trace = _stakedVotes[account];
        uint256 prev = trace.latest();
        uint256 next = after_ > before ? prev + (after_ - before) : prev - (before - after_);
        uint48 key = uint48(block.timestamp);
        trace.push(key, next);
        uint256 total = _totalStakedVotes.latest();
        _totalStakedVotes.push(key, after_ > before ? total + (after_ - before) : total - (before - after_));
        emit StakedVotesChanged(account, prev, next);
    }

    /* INTERNAL: HELPERS */

    function _registered(address operator) internal view returns (Operator storage op) {
        op = _operators[operator];
        if (op.role == OperatorRole.None) revert StakingNotOperator(operator);
    }

    function _pendingSlash(uint256 slashId) internal view returns (SlashProposal storage s) {
        s = _slashes[slashId];
        if (s.status != SlashStatus.Pending) revert StakingSlashNotPending(slashId, s.status);
    }

    function _commission(Operator storage op) internal view returns (uint16) {
        uint48 effectiveAt = op.commissionEffectiveAt;
        return effectiveAt != 0 && block.timestamp >= effectiveAt ? op.pendingCommissionBps : op.commissionBps;
    }

    function _selfStake(address operator) internal view returns (uint256) {
        return stakeValue(operator, operator);
    }

    /// @dev Checks that two receipts conflict, are both signed by their channel's registered node, and were not used
    /// before; returns the node and the fault's id (order-independent).
    function _objectiveFault(
        UsageReceipt calldata a,
        bytes calldata signatureA,
        UsageReceipt calldata b,
        bytes calldata signatureB
    ) internal view returns (address node, bytes32 faultId) {
        IReceiptDomain domain = receiptDomain;
        if (address(domain) == address(0)) revert StakingNoReceiptDomain();
        if (a.channelId != b.channelId) revert StakingReceiptsNotConflicting();
        bytes32 digestA = domain.receiptDigest(a);
        bytes32 digestB = domain.receiptDigest(b);
        bool conflict = a.seq == b.seq
            ? digestA != digestB
            : (a.seq < b.seq ? a.cumulativeAmount > b.cumulativeAmount : b.cumulativeAmount > a.cumulativeAmount);
        if (!conflict) revert StakingReceiptsNotConflicting();
        faultId = digestA < digestB ? keccak256(abi.encode(digestA, digestB)) : keccak256(abi.encode(digestB, digestA));
        if (faultSlashed[faultId]) revert StakingFaultAlreadySlashed(faultId);
        node = domain.channelNode(a.channelId);
        if (node == address(0)) revert StakingUnknownChannel(a.channelId);
        if (!_signedBy(node, digestA, signatureA) || !_signedBy(node, digestB, signatureB)) {
            revert StakingBadReceiptSignature(a.channelId, node);
        }
        _registered(node);
    }

    /// @dev Whether `signature` over `digest` recovers to `signer` (malformed signatures are simply not).
    function _signedBy(address signer, bytes32 digest, bytes memory signature) internal pure returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        return err == ECDSA.RecoverError.NoError && recovered == signer;
    }

    function _notPaused() internal view {
        uint256 until = pausedUntil;
        if (block.timestamp < until) revert StakingPaused(until);
    }

    function _pastKey(uint256 timepoint) internal view returns (uint48) {
        uint48 nowTs = uint48(block.timestamp);
        if (timepoint >= nowTs) revert StakingFutureLookup(timepoint, nowTs);
        return uint48(timepoint);
    }

    /* INTERNAL: PARAMETERS */

    function _setMinStake(OperatorRole role, uint256 amount) internal {
        if (role == OperatorRole.None) revert StakingInvalidRole(role);
        _checkBounds("minStake", amount, MIN_MIN_STAKE, MAX_MIN_STAKE);
        minStake[role] = amount;
        emit MinStakeSet(role, amount);
    }

    function _setUnbondingDelay(uint48 delay) internal {
        _checkBounds("unbondingDelay", delay, MIN_UNBONDING_DELAY, MAX_UNBONDING_DELAY);
        unbondingDelay = delay;
        emit ParameterSet("unbondingDelay", delay);
    }

    function _setVetoWindow(uint48 window) internal {
        _checkBounds("vetoWindow", window, MIN_VETO_WINDOW, MAX_VETO_WINDOW);
        vetoWindow = window;
        emit ParameterSet("vetoWindow", window);
    }

    function _setSlashCap(uint48 period, uint16 maxBpsPerPeriod) internal {
        _checkBounds("slashPeriod", period, MIN_SLASH_PERIOD, MAX_SLASH_PERIOD);
        _checkBounds("maxSlashBpsPerPeriod", maxBpsPerPeriod, MIN_SLASH_CAP_BPS, MAX_SLASH_CAP_BPS);
        slashPeriod = period;
        maxSlashBpsPerPeriod = maxBpsPerPeriod;
        emit ParameterSet("slashPeriod", period);
        emit ParameterSet("maxSlashBpsPerPeriod", maxBpsPerPeriod);
    }

    function _setObjectiveSlash(uint16 slashBps, uint16 reporterBps) internal {
        _checkBounds("objectiveSlashBps", slashBps, MIN_OBJECTIVE_SLASH_BPS, MAX_OBJECTIVE_SLASH_BPS);
        _checkBounds("reporterRewardBps", reporterBps, 0, MAX_REPORTER_REWARD_BPS);
        objectiveSlashBps = slashBps;
        reporterRewardBps = reporterBps;
        emit ParameterSet("objectiveSlashBps", slashBps);
        emit ParameterSet("reporterRewardBps", reporterBps);
    }

    function _setJailCooldown(uint48 cooldown) internal {
        _checkBounds("jailCooldown", cooldown, MIN_JAIL_COOLDOWN, MAX_JAIL_COOLDOWN);
        jailCooldown = cooldown;
        emit ParameterSet("jailCooldown", cooldown);
    }

    function _checkBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert StakingParameterOutOfBounds(parameter, value, min, max);
    }
}

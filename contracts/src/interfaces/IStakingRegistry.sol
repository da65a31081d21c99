// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOperatorStaking} from "./IOperatorStaking.sol";
import {OperatorRole} from "../types/Roles.sol";
import {UsageReceipt} from "../types/UsageReceipt.sol";

/// @title IStakingRegistry
/// @notice Operator registration, share-based delegation, rewards, unbonding and slashing of OPEN (issue 5).
/// @dev Each operator has two share pools: the active pool (stake that votes, earns and can be slashed) and the
/// unbonding pool (stake on its way out, still slashable until withdrawn). A slash cuts both pools' assets by the
/// same fraction in O(1), so every delegator loses pro rata without being touched. Staked OPEN keeps its vote:
/// each account's bonded principal is checkpointed on a timestamp clock ({getPastStakedVotes}); a slash reaches a
/// delegator's votes the next time its position is touched ({syncVotes} is permissionless).
///
/// Pause: the security council (set by governance) can {pause} once per appointment, for `MAX_PAUSE_DURATION`
/// (14 days) at most; the pause lapses by itself, and governance or the council can {unpause} earlier. Another pause
/// needs governance to (re-)appoint the council ({setSecurityCouncil}, which re-arms it), so a captured council can
/// freeze stake movements for at most one bounded period per governance decision. While paused, {register}, {stake},
/// {delegate}, {requestUnbond}, {withdraw} and {claimRewards} revert with {StakingPaused}; slashing (objective,
/// propose, veto, execute, expire), {notifyReward}, {syncVotes}, {unjail}, operator settings, governance setters and
/// views keep working. The pause moves no funds.
interface IStakingRegistry is IOperatorStaking {
    /* TYPES */

    /// @notice Status of a subjective slash proposal.
    enum SlashStatus {
        None,
        Pending,
        Vetoed,
        Executed,
        Expired
    }

    /// @notice An operator's registration, commission, jail and pending-slash state (one storage slot; its recent
    /// slashes are in {recentSlashedBps}).
    struct Operator {
        OperatorRole role;
        bool jailed;
        uint48 jailedUntil;
        uint16 commissionBps;
        uint16 pendingCommissionBps;
        uint48 commissionEffectiveAt;
        uint32 pendingSlashes;
    }

    /// @notice An operator's share pools and reward index.
    struct Pool {
        uint128 activeAssets;
        uint128 activeShares;
        uint128 unbondingAssets;
        uint128 unbondingShares;
        uint256 rewardPerShare;
    }

    /// @notice A delegator's position with one operator.
    /// @param shares Active-pool shares.
    /// @param principal OPEN counted in the delegator's votes for this position (its value at the last touch).
    /// @param rewardDebt `shares x rewardPerShare` at the last touch.
    /// @param rewardOwed Rewards accrued and not yet claimed.
    struct Position {
        uint256 shares;
        uint256 principal;
        uint256 rewardDebt;
        uint256 rewardOwed;
    }

    /// @notice A pending withdrawal: unbonding-pool shares that become withdrawable at `readyAt`.
    struct Withdrawal {
        address delegator;
        uint48 readyAt;
        address operator;
        uint256 shares;
    }

    /// @notice A subjective slash proposal.
    struct SlashProposal {
        address operator;
        uint16 bps;
        uint16 harmedBps;
        uint48 vetoEndsAt;
        SlashStatus status;
        address harmedParty;
        bytes32 evidence;
    }

    /* ERRORS */

    /// @notice The caller is not the governance address (the Timelock).
    error StakingNotGovernance(address caller);
    /// @notice The caller is not the slasher.
    error StakingNotSlasher(address caller);
    /// @notice The caller is not the security council.
    error StakingNotSecurityCouncil(address caller);
    /// @notice The caller is not a reward source set by governance.
    error StakingNotRewardSource(address caller);
    /// @notice A zero address where an address is required.
    error StakingZeroAddress();
    /// @notice A zero amount where a positive amount is required.
    error StakingZeroAmount();
    /// @notice A governed parameter outside its hard bounds.
    error StakingParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The role is `None`.
    error StakingInvalidRole(OperatorRole role);
    /// @notice The account is already registered as an operator.
    error StakingAlreadyRegistered(address operator);
    /// @notice The account is not a registered operator.
    error StakingNotOperator(address operator);
    /// @notice The operator is jailed.
    error StakingOperatorJailed(address operator, uint256 jailedUntil);
    /// @notice The operator is not jailed.
    error StakingOperatorNotJailed(address operator);
    /// @notice The jail cool-down has not elapsed.
    error StakingJailCooldown(address operator, uint256 jailedUntil);
    /// @notice The operator's own stake is below its role's minimum.
    error StakingBelowMinimum(address operator, uint256 selfStake, uint256 minimum);
    /// @notice A commission above the bound.
    error StakingCommissionTooHigh(uint256 bps, uint256 max);
    /// @notice The deposit is too small to mint a share.
    error StakingZeroShares(uint256 amount);
    /// @notice The position holds less than requested.
    error StakingInsufficientStake(address delegator, address operator, uint256 requested, uint256 available);
    /// @notice No such withdrawal, or not the caller's.
    error StakingUnknownWithdrawal(uint256 withdrawalId, address caller);
    /// @notice The unbonding delay has not elapsed.
    error StakingWithdrawalNotReady(uint256 withdrawalId, uint256 readyAt);
    /// @notice A slash on the operator is pending: no stake leaves until it is resolved.
    error StakingPendingSlash(address operator, uint256 pendingSlashes);
    /// @notice The slash exceeds the per-period cap.
    error StakingSlashExceedsCap(uint256 bps, uint256 cap);
    /// @notice The harmed party's share exceeds its bound, or a share without a party.
    error StakingInvalidHarmedShare(address harmedParty, uint256 bps);
    /// @notice No such slash proposal or not in the required status.
    error StakingSlashNotPending(uint256 slashId, SlashStatus status);
    /// @notice The veto window is still open.
    error StakingVetoWindowOpen(uint256 slashId, uint256 vetoEndsAt);
    /// @notice The veto window has closed.
    error StakingVetoWindowClosed(uint256 slashId, uint256 vetoEndsAt);
    /// @notice The execution window has passed (the slash can only expire).
    error StakingSlashExpired(uint256 slashId, uint256 expiresAt);
    /// @notice The execution window has not passed yet.
    error StakingSlashNotExpired(uint256 slashId, uint256 expiresAt);
    /// @notice The receipt domain (PaymentChannels) is not set.
    error StakingNoReceiptDomain();
    /// @notice The two receipts are not an objective fault.
    error StakingReceiptsNotConflicting();
    /// @notice The channel is unknown (no serving node).
    error StakingUnknownChannel(uint256 channelId);
    /// @notice A receipt signature is not the channel node's.
    error StakingBadReceiptSignature(uint256 channelId, address node);
    /// @notice This pair of receipts was already used to slash.
    error StakingFaultAlreadySlashed(bytes32 faultId);
    /// @notice A lookup in the future.
    error StakingFutureLookup(uint256 timepoint, uint48 clock);
    /// @notice Stake movements are paused by the security council until `pausedUntil`.
    error StakingPaused(uint256 pausedUntil);
    /// @notice The council has used its pause; governance must re-appoint it ({setSecurityCouncil}) to re-arm it.
    error StakingPauseSpent(address council);
    /// @notice {unpause} while not paused.
    error StakingNotPaused();

    /* EVENTS */

    /// @notice An operator registered.
    event OperatorRegistered(address indexed operator, OperatorRole role, string metadataURI);
    /// @notice An operator changed its metadata.
    event OperatorMetadataUpdated(address indexed operator, string metadataURI);
    /// @notice An operator scheduled a commission change.
    event CommissionChangeScheduled(address indexed operator, uint16 commissionBps, uint48 effectiveAt);
    /// @notice OPEN delegated (or self-staked when `delegator == operator`).
    event Delegated(address indexed delegator, address indexed operator, uint256 amount, uint256 shares);
    /// @notice Stake moved to the unbonding pool.
    event UnbondRequested(
        uint256 indexed withdrawalId,
        address indexed delegator,
        address indexed operator,
        uint256 amount,
        uint256 activeShares,
        uint256 unbondingShares,
        uint48 readyAt
    );
    /// @notice Unbonded stake withdrawn.
    event Withdrawn(uint256 indexed withdrawalId, address indexed delegator, address indexed operator, uint256 amount);
    /// @notice Rewards credited to an operator: `commission` to the operator, the rest per share.
    event RewardNotified(
        address indexed operator, address indexed source, uint256 amount, uint256 commission, uint256 rewardPerShare
    );
    /// @notice Rewards claimed.
    event RewardsClaimed(address indexed delegator, address indexed operator, uint256 amount);
    /// @notice An account's staked votes changed.
    event StakedVotesChanged(address indexed account, uint256 previousVotes, uint256 newVotes);
    /// @notice A subjective slash was proposed.
    event SlashProposed(
        uint256 indexed slashId,
        address indexed operator,
        uint16 bps,
        address harmedParty,
        uint16 harmedBps,
        bytes32 evidence,
        uint48 vetoEndsAt
    );
    /// @notice The security council vetoed a slash.
    event SlashVetoed(uint256 indexed slashId, address indexed council);
    /// @notice A slash was not executed in its window and expired.
    event SlashExpired(uint256 indexed slashId);
    /// @notice Stake was slashed (`slashId` is 0 for an objective slash, `faultId` zero for a subjective one).
    event Slashed(
        address indexed operator,
        uint256 indexed slashId,
        bytes32 indexed faultId,
        uint16 bps,
        uint256 amount,
        uint256 toTreasury,
        address recipient,
        uint256 toRecipient
    );
    /// @notice An operator was jailed until `jailedUntil`.
    event OperatorJailed(address indexed operator, uint48 jailedUntil);
    /// @notice An operator left jail.
    event OperatorUnjailed(address indexed operator);
    /// @notice A governed parameter changed (`parameter` names it; roles keyed by role).
    event ParameterSet(bytes32 indexed parameter, uint256 value);
    /// @notice A governed address changed.
    event AddressSet(bytes32 indexed parameter, address value);
    /// @notice The minimum self-stake of a role changed.
    event MinStakeSet(OperatorRole indexed role, uint256 amount);
    /// @notice A reward source was allowed or removed.
    event RewardSourceSet(address indexed source, bool allowed);
    /// @notice The security council `by` paused stake movements until `until` (it then lapses by itself).
    event Paused(address indexed by, uint256 until);
    /// @notice `by` (governance or the security council) ended the pause early.
    event Unpaused(address indexed by);

    /* OPERATORS */

    /// @notice Registers the caller as an operator for `role` with a metadata URI (then {stake} the minimum).
    function register(OperatorRole role, string calldata metadataURI) external;

    /// @notice Replaces the caller's metadata URI.
    function updateMetadata(string calldata metadataURI) external;

    /// @notice Schedules the caller's commission to become `bps` after the commission delay.
    function setCommission(uint16 bps) external;

    /// @notice Leaves jail after the cool-down; the caller must still hold its role's minimum self-stake.
    function unjail() external;

    /* STAKING */

    /// @notice The caller (a registered operator) stakes `amount` OPEN on itself. Pulls OPEN (prior approval).
    function stake(uint256 amount) external returns (uint256 shares);

    /// @notice Delegates `amount` OPEN to `operator` (not jailed). Pulls OPEN (prior approval).
    function delegate(address operator, uint256 amount) external returns (uint256 shares);

    /// @notice Moves `amount` OPEN of the caller's stake with `operator` to unbonding; withdrawable after the
    /// unbonding delay, still slashable until then. Ends its votes and rewards at once.
    function requestUnbond(address operator, uint256 amount) external returns (uint256 withdrawalId);

    /// @notice Pays out a ready withdrawal (its value after any slash). Refused while a slash on the operator is
    /// pending.
    function withdraw(uint256 withdrawalId) external returns (uint256 amount);

    /// @notice Claims the caller's accrued rewards (and commission, for an operator's own position) with `operator`.
    function claimRewards(address operator) external returns (uint256 amount);

    /// @notice Brings `account`'s votes for its position with `operator` down to the position's value after slashes.
    function syncVotes(address account, address operator) external;

    /* SLASHING */

    /// @notice Slashes the serving node of a channel at once for two conflicting usage receipts (PROTOCOL.md:
    /// same channel and seq with different contents, or seq a < b with cumulativeAmount a > b), each signed by the
    /// channel's node in the PaymentChannels EIP-712 domain. The caller gets the reporter reward; the rest goes to
    /// the treasury; the node is jailed. The reporter reward is `reporterRewardBps` of the slashed amount, but never
    /// more than the node's own stake lost in this slash (so a node reporting itself through an accomplice gains
    /// nothing from its delegators' loss).
    function slashObjective(
        UsageReceipt calldata a,
        bytes calldata signatureA,
        UsageReceipt calldata b,
        bytes calldata signatureB
    ) external returns (uint256 amount);

    /// @notice Proposes slashing `bps` of `operator`'s stake (slasher only), citing `evidence` (content digest of
    /// the evidence CID); `harmedBps` of the slashed amount goes to `harmedParty`, the rest to the treasury.
    function proposeSlash(address operator, uint16 bps, address harmedParty, uint16 harmedBps, bytes32 evidence)
        external
        returns (uint256 slashId);

    /// @notice Vetoes a pending slash during its veto window (security council only).
    function vetoSlash(uint256 slashId) external;

    /// @notice Executes a pending slash after its veto window, within the execution window (anyone). The slash is
    /// clipped so that the slashes of the operator in any window of `slashPeriod` seconds sum to at most
    /// `maxSlashBpsPerPeriod` ({recentSlashedBps}); the operator is jailed.
    function executeSlash(uint256 slashId) external returns (uint256 amount);

    /// @notice Marks a pending slash not executed within its execution window as expired (anyone).
    function expireSlash(uint256 slashId) external;

    /* PAUSE */

    /// @notice Pauses registrations, stake top-ups, delegations, unbond requests, withdrawals and reward claims for
    /// `MAX_PAUSE_DURATION` (14 days; security council only; once per appointment: reverts with {StakingPauseSpent}
    /// until governance calls {setSecurityCouncil} again). Slashing, vetoes, reward notifications and governance keep
    /// working; unbonding and jail clocks keep running. Moves no funds. Emits {Paused}.
    function pause() external;

    /// @notice Ends the pause before it lapses (governance or the security council; any other caller reverts with
    /// {StakingNotSecurityCouncil}). Reverts with {StakingNotPaused} when not paused. Does not re-arm the council's
    /// pause. Emits {Unpaused}.
    function unpause() external;

    /// @notice The end of the current or last pause (paused while `block.timestamp < pausedUntil`; 0 if never).
    function pausedUntil() external view returns (uint256);

    /// @notice Whether the current security council has used its pause (cleared by {setSecurityCouncil}).
    function pauseSpent() external view returns (bool);

    /* GOVERNANCE */

    /// @notice Sets the minimum self-stake of `role`.
    function setMinStake(OperatorRole role, uint256 amount) external;

    /// @notice Sets the unbonding delay (bounded below by the maximum veto window plus the maximum payout challenge
    /// window, so always strictly longer than both) and the security council's veto window.
    function setDelays(uint48 unbondingDelay, uint48 vetoWindow) external;

    /// @notice Sets the slashing parameters: the period and the per-operator cap per period (bps of stake), the
    /// objective slash size and the reporter's share of it (bps), and the jail cool-down.
    function setSlashParameters(
        uint48 period,
        uint16 maxBpsPerPeriod,
        uint16 objectiveBps,
        uint16 reporterBps,
        uint48 jailCooldown
    ) external;

    /// @notice Sets the slasher.
    function setSlasher(address slasher) external;

    /// @notice Sets the security council (veto and one bounded pause; it can never move funds) and re-arms its
    /// pause (also when re-appointing the same council). Does not end a pause in force.
    function setSecurityCouncil(address council) external;

    /// @notice Sets the receipt domain (PaymentChannels) used to verify objective faults.
    function setReceiptDomain(address receiptDomain) external;

    /// @notice Allows or removes a reward source for {notifyReward}.
    function setRewardSource(address source, bool allowed) external;

    /* VIEWS */

    /// @notice An operator's state.
    function operatorOf(address operator) external view returns (Operator memory);

    /// @notice An operator's pools.
    function poolOf(address operator) external view returns (Pool memory);

    /// @notice A delegator's position with an operator.
    function positionOf(address delegator, address operator) external view returns (Position memory);

    /// @notice A pending withdrawal.
    function withdrawalOf(uint256 withdrawalId) external view returns (Withdrawal memory);

    /// @notice A slash proposal.
    function slashProposalOf(uint256 slashId) external view returns (SlashProposal memory);

    /// @notice The OPEN value of `delegator`'s active stake with `operator` (after slashes).
    function stakeValue(address delegator, address operator) external view returns (uint256);

    /// @notice The OPEN value of a pending withdrawal (after slashes).
    function withdrawalValue(uint256 withdrawalId) external view returns (uint256);

    /// @notice Rewards `delegator` can claim from `operator`.
    function pendingRewards(address delegator, address operator) external view returns (uint256);

    /// @notice The bps of stake slashed from `operator` in the last `slashPeriod` seconds (the window ending now);
    /// a new slash is clipped to `maxSlashBpsPerPeriod` minus this. May count a little more than the real sum when
    /// more than four slashes fell within one period (never less).
    function recentSlashedBps(address operator) external view returns (uint256);

    /// @notice The commission in force now for `operator`.
    function commissionOf(address operator) external view returns (uint16);

    /// @notice `account`'s staked votes now.
    function getStakedVotes(address account) external view returns (uint256);

    /// @notice The votes clock (ERC-6372): the block timestamp.
    function clock() external view returns (uint48);

    /// @notice Rewards notified and not yet claimed (including rounding dust kept by the registry).
    function rewardReserve() external view returns (uint256);
}

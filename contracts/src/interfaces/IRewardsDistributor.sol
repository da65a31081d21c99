// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMeritRoots} from "./IMeritRoots.sol";

/// @title IRewardsDistributor
/// @notice Disputable, cumulative epoch payout roots and claims (issue 4; PROTOCOL.md, "Payout roots, claims and
/// merit"). Data contributors' pools (funded by PaymentChannels) and validator rewards are paid from one Merkle tree
/// whose leaves are OpenZeppelin StandardMerkleTree `["address","uint256","uint256"]` = (account,
/// cumulativeAmount, merit). A governance-approved, bonded poster posts `(epoch, epochEnd, root, total, totalMerit,
/// inputsCid)`; anyone may dispute it with a bond during the challenge window, which freezes it until the resolver
/// (the Timelock or a council it sets) decides; a lost dispute slashes the loser's bond, part of it to the winner.
/// After the window anyone finalizes it; every earlier pending root is then superseded. Claims verify against the
/// latest final root and pay `cumulativeAmount - claimed[account]`; they write no merit.
/// @dev EIP-712 domain: name "RewardsDistributor", version "1"; type
/// `ClaimTo(address account,address recipient,uint256 nonce,uint256 deadline)`.
interface IRewardsDistributor is IMeritRoots {
    /* TYPES */

    /// @notice Lifecycle of a posted root. `Superseded` is reported for a pending root below the latest final one.
    enum RootStatus {
        None,
        Pending,
        Disputed,
        Final,
        Rejected,
        Superseded
    }

    /// @notice A posted root as stored (status as stored; see {rootStatus} for the effective status).
    struct RootRecord {
        bytes32 root;
        uint96 total;
        uint128 totalMerit;
        uint32 epoch;
        uint32 posterId;
        uint40 epochEnd;
        uint40 finalAt;
        RootStatus status;
        uint96 bond;
    }

    /// @notice One claim of a batch.
    struct Claim {
        address account;
        uint256 cumulativeAmount;
        uint256 merit;
        bytes32[] proof;
    }

    /* ERRORS */

    /// @notice A zero address was given where an address is required (`what` names the argument).
    error RewardsZeroAddress(string what);
    /// @notice A zero amount was given.
    error RewardsZeroAmount();
    /// @notice The caller is not the governance address.
    error RewardsNotGovernance(address caller);
    /// @notice The caller is not the dispute resolver.
    error RewardsNotResolver(address caller);
    /// @notice The caller is not an approved root poster.
    error RewardsNotPoster(address caller);
    /// @notice The poster's free bond is below the bond a root needs.
    error RewardsInsufficientBond(address poster, uint256 free, uint256 required);
    /// @notice A zero root was posted.
    error RewardsZeroRoot();
    /// @notice The root's total exceeds what was funded.
    error RewardsTotalExceedsFunding(uint256 total, uint256 funded);
    /// @notice The root's total is below the latest final root's total (totals are cumulative).
    error RewardsTotalDecreased(uint256 total, uint256 finalTotal);
    /// @notice The epoch (or its end) goes backwards, or the epoch has not ended yet.
    error RewardsBadEpoch(uint256 epoch, uint256 epochEnd, uint256 lastEpoch, uint256 lastEpochEnd);
    /// @notice A value does not fit its storage field.
    error RewardsValueTooLarge(string what, uint256 value);
    /// @notice No root has this index.
    error RewardsUnknownRoot(uint256 index);
    /// @notice The root is not pending (already final, disputed, rejected or superseded).
    error RewardsRootNotPending(uint256 index, RootStatus status);
    /// @notice The root is not disputed.
    error RewardsRootNotDisputed(uint256 index);
    /// @notice The challenge window of the root is still open.
    error RewardsWindowOpen(uint256 index, uint256 finalAt);
    /// @notice The challenge window of the root is over.
    error RewardsWindowClosed(uint256 index, uint256 finalAt);
    /// @notice The root's bond was already released or slashed.
    error RewardsBondNotReleasable(uint256 index, RootStatus status);
    /// @notice No root is final yet.
    error RewardsNoFinalRoot();
    /// @notice The proof does not match the latest final root.
    error RewardsInvalidProof(address account, uint256 cumulativeAmount, uint256 merit);
    /// @notice Nothing is left to claim (the cumulative amount was already paid).
    error RewardsNothingToClaim(address account, uint256 cumulativeAmount, uint256 claimed);
    /// @notice Paying would dip into bonds: only `available` is left of the funded pools (a root's leaves sum above
    /// what was funded).
    error RewardsUnderfunded(uint256 available, uint256 amount);
    /// @notice The signed claim's deadline passed.
    error RewardsExpiredSignature(uint256 deadline);
    /// @notice The signed claim's signature is not the account's.
    error RewardsInvalidSignature(address account);
    /// @notice A zero recipient.
    error RewardsZeroRecipient();
    /// @notice The withdrawal exceeds the poster's free bond.
    error RewardsBondTooLow(address poster, uint256 free, uint256 amount);
    /// @notice A governed parameter is outside its hard bounds.
    error RewardsParameterOutOfBounds(string name, uint256 value, uint256 min, uint256 max);
    /// @notice An empty batch was given.
    error RewardsEmptyBatch();
    /// @notice Array arguments differ in length.
    error RewardsLengthMismatch();
    /// @notice The lookup is in the future.
    error RewardsFutureLookup(uint256 timepoint, uint256 nowTime);
    /// @notice The root cannot be swept yet: it is not final or its epoch is not old enough.
    error RewardsSweepTooEarly(uint256 index, uint256 availableAt);
    /// @notice No sweep was announced for this root, or its notice has not elapsed.
    error RewardsSweepNotAnnounced(uint256 index, uint256 executableAt);

    /* EVENTS */

    /// @notice `from` funded model `modelId`'s data pool (0 for validator and other rewards) with `amount`.
    event PoolFunded(uint256 indexed modelId, address indexed from, uint256 amount, uint256 totalFunded);
    /// @notice Governance approved or revoked a poster.
    event PosterSet(address indexed poster, uint32 posterId, bool allowed);
    /// @notice A poster added to its free bond.
    event BondDeposited(address indexed poster, uint256 amount, uint256 free);
    /// @notice A poster withdrew free bond.
    event BondWithdrawn(address indexed poster, address indexed to, uint256 amount, uint256 free);
    /// @notice A root was posted with `bond` locked from its poster; it is final from `finalAt` unless disputed.
    event RootPosted(
        uint256 indexed index,
        uint256 indexed epoch,
        address indexed poster,
        bytes32 root,
        uint256 total,
        uint256 totalMerit,
        uint256 epochEnd,
        uint256 finalAt,
        uint256 bond,
        string inputsCid
    );
    /// @notice A root became final; every earlier pending root is superseded.
    event RootFinalized(uint256 indexed index, bytes32 root, uint256 total, uint256 totalMerit, uint256 epochEnd);
    /// @notice A root was disputed and is frozen until the resolver decides.
    event RootDisputed(uint256 indexed index, address indexed disputer, uint256 bond, string reason);
    /// @notice The resolver decided a dispute: `posterWins` keeps the root; the loser's `slashed` bond paid
    /// `toWinner` to the winner and the rest to the treasury.
    event DisputeResolved(
        uint256 indexed index, bool posterWins, address winner, uint256 slashed, uint256 toWinner, uint256 toTreasury
    );
    /// @notice A superseded (never disputed) root's bond returned to its poster's free bond.
    event BondReleased(uint256 indexed index, address indexed poster, uint256 bond);
    /// @notice `account` claimed `amount` (cumulative `cumulativeAmount`) to `recipient`.
    event Claimed(address indexed account, address indexed recipient, uint256 amount, uint256 cumulativeAmount);
    /// @notice Governance announced a sweep of amounts left unclaimed under final root `index`.
    event SweepAnnounced(uint256 indexed index, uint256 executableAt);
    /// @notice `amount` left unclaimed by `account` under root `index` was swept to the treasury.
    event UnclaimedSwept(uint256 indexed index, address indexed account, uint256 amount, uint256 cumulativeAmount);
    /// @notice Governance set the challenge window.
    event ChallengeWindowSet(uint256 challengeWindow);
    /// @notice Governance set the bonds and the winner's share of a slashed bond.
    event BondsSet(uint256 posterBond, uint256 disputeBond, uint256 winnerShareBps);
    /// @notice Governance set the sweep notice and the minimum age of an epoch before its leftovers can be swept.
    event SweepParametersSet(uint256 sweepNotice, uint256 minSweepAge);
    /// @notice Governance set the dispute resolver.
    event ResolverSet(address indexed resolver);

    /* FUNDING AND BONDS */

    /// @notice Pulls `amount` OPEN from the caller into model `modelId`'s data pool (0: validator/other rewards).
    function fundPool(uint256 modelId, uint256 amount) external;

    /// @notice Pulls `amount` OPEN from the caller into its free poster bond.
    function depositBond(uint256 amount) external;

    /// @notice Sends `amount` of the caller's free bond to `to` (bonds locked by pending roots stay).
    function withdrawBond(uint256 amount, address to) external;

    /* ROOTS */

    /// @notice Posts a cumulative payout root, locking `posterBond` from the caller's free bond. Approved posters
    /// only; not while paused.
    /// @param epoch The epoch number (non-decreasing; a rejected epoch may be posted again).
    /// @param epochEnd The epoch's end (timestamp, in the past, non-decreasing): merit in the leaves is as of it.
    /// @param root The StandardMerkleTree root of (account, cumulativeAmount, merit) leaves.
    /// @param total The sum of the leaves' cumulative amounts (at most what was funded; never below the last final).
    /// @param totalMerit The sum of the leaves' merit.
    /// @param inputsCid The content id of the published inputs (receipts, attribution records) to recompute from.
    /// @return index The root's index (from 1).
    function postRoot(
        uint256 epoch,
        uint256 epochEnd,
        bytes32 root,
        uint256 total,
        uint256 totalMerit,
        string calldata inputsCid
    ) external returns (uint256 index);

    /// @notice Makes a pending root final once its challenge window is over (anyone; not while paused). Every
    /// earlier pending root is superseded; the poster's bond is released.
    function finalize(uint256 index) external;

    /// @notice Disputes a pending root during its challenge window, pulling `disputeBond` from the caller.
    /// @param reason Free text or a content id of the evidence.
    function dispute(uint256 index, string calldata reason) external;

    /// @notice Decides a dispute (resolver only). If the poster wins, the root becomes final (or superseded if a
    /// later root is already final) and the disputer's bond is slashed; otherwise the root is rejected and the
    /// poster's bond is slashed. The winner gets back its bond plus `winnerShareBps` of the loser's.
    function resolveDispute(uint256 index, bool posterWins) external;

    /// @notice Returns the bond of a superseded, never-disputed root to its poster's free bond (anyone).
    function releaseBond(uint256 index) external;

    /* CLAIMS */

    /// @notice Pays `cumulativeAmount - claimed[account]` to `account` against the latest final root (anyone may
    /// trigger it). Works while paused.
    /// @return amount The amount paid.
    function claim(address account, uint256 cumulativeAmount, uint256 merit, bytes32[] calldata proof)
        external
        returns (uint256 amount);

    /// @notice {claim} for many accounts; reverts as a whole if one fails.
    function claimMany(Claim[] calldata claims) external returns (uint256 total);

    /// @notice {claim} paying `recipient`, authorised by `account`'s EIP-712 `ClaimTo` signature with its current
    /// nonce (ERC-1271 wallets supported).
    function claimTo(
        address account,
        address recipient,
        uint256 cumulativeAmount,
        uint256 merit,
        bytes32[] calldata proof,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 amount);

    /* GOVERNANCE */

    /// @notice Approves or revokes a root poster (governance).
    function setPoster(address poster, bool allowed) external;

    /// @notice Sets the dispute resolver (governance).
    function setResolver(address resolver) external;

    /// @notice Sets the challenge window for later roots, within hard bounds (governance).
    function setChallengeWindow(uint32 challengeWindow) external;

    /// @notice Sets the poster and dispute bonds and the winner's share, within hard bounds (governance).
    function setBonds(uint96 posterBond, uint96 disputeBond, uint16 winnerShareBps) external;

    /// @notice Sets the sweep notice and the minimum epoch age before a sweep, within hard bounds (governance).
    function setSweepParameters(uint32 sweepNotice, uint32 minSweepAge) external;

    /// @notice Pauses root posting and finalization (governance). Claims against the final root still work.
    function pause() external;

    /// @notice Lifts the pause (governance).
    function unpause() external;

    /// @notice Announces a sweep of amounts left unclaimed under final root `index` (governance); its epoch must
    /// have ended at least `minSweepAge` ago. Executable after `sweepNotice`.
    function announceSweep(uint256 index) external;

    /// @notice After the notice, sends to the treasury what each account left unclaimed under announced root
    /// `index` (its cumulative amount there minus what it claimed), marking it claimed (governance).
    function sweep(
        uint256 index,
        address[] calldata accounts,
        uint256[] calldata cumulativeAmounts,
        uint256[] calldata merits,
        bytes32[][] calldata proofs
    ) external returns (uint256 total);

    /* VIEWS */

    /// @notice A root's stored record.
    function rootRecord(uint256 index) external view returns (RootRecord memory);

    /// @notice A root's effective status (a pending root below the latest final one reports `Superseded`).
    function rootStatus(uint256 index) external view returns (RootStatus);

    /// @notice Number of roots posted (the last index) and the index of the latest final root (0 if none).
    function rootCounts() external view returns (uint256 count, uint256 finalIndex);

    /// @notice The latest final root (zero if none): what claims verify against.
    function finalRoot() external view returns (bytes32);

    /// @notice What `account` has claimed so far (cumulative).
    function claimed(address account) external view returns (uint256);

    /// @notice The next `ClaimTo` nonce of `account`.
    function nonces(address account) external view returns (uint256);

    /// @notice The EIP-712 digest `account` signs for `ClaimTo(account, recipient, nonce, deadline)`.
    function claimToDigest(address account, address recipient, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32);

    /// @notice The StandardMerkleTree leaf hash of (account, cumulativeAmount, merit).
    function leafHash(address account, uint256 cumulativeAmount, uint256 merit) external pure returns (bytes32);

    /// @notice Total funded (cumulative), total swept, bonds held (posters' and disputers'), and what is available to
    /// claims (the token balance minus the bonds). Claimed totals are the sum of `Claimed` events.
    function totals() external view returns (uint256 funded, uint256 swept, uint256 bondsHeld, uint256 available);

    /// @notice A poster's id, approval, free and locked bond.
    function posterInfo(address poster)
        external
        view
        returns (uint32 posterId, bool allowed, uint256 freeBond, uint256 lockedBond);

    /// @notice Current parameters.
    function parameters()
        external
        view
        returns (
            uint32 challengeWindow,
            uint96 posterBond,
            uint96 disputeBond,
            uint16 winnerShareBps,
            uint32 sweepNotice,
            uint32 minSweepAge
        );
}

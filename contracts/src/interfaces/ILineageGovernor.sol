// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IOperatorStaking} from "./IOperatorStaking.sol";
import {IMeritRoots} from "./IMeritRoots.sol";

/// @title ILineageGovernor
/// @notice The merit-weighted parts of the LineageGovernor (an OpenZeppelin 5 Governor; issue 5). Voting weight at a
/// proposal's snapshot `t` (timestamp clock):
///   OPEN votes (ERC-5805) + staked OPEN (the StakingRegistry's checkpoints)
///   + min(k x merit x 2^(-(t - epochEnd) / halfLife), meritCap x totalVotingSupply(t))
/// where the merit term counts only when the vote's `params` prove the voter's own leaf
/// `(account, cumulativeAmount, merit)` in the payout root final at `t` ({IMeritRoots-finalRootAt}).
/// @dev Merit is never minted as a token: it lives in the RewardsDistributor's payout roots, is proven at vote time
/// and decays exactly. It cannot be transferred by construction: the leaf is hashed with the voter's own address, so
/// a proof of another account's leaf does not verify. `castVote` (no params) counts OPEN and stake alone.
/// `params` = `abi.encode(uint256 cumulativeAmount, uint256 merit, bytes32[] proof)` (a StandardMerkleTree proof),
/// canonical (proof offset 0x60, no trailing bytes).
/// Event convention: a vote with params emits {IGovernor-VoteCastWithParams} whose `params` field is NOT the proof but
/// `abi.encode(leaf)` (32 bytes), `leaf` = the StandardMerkleTree leaf hash of `(account, cumulativeAmount, merit)`
/// that was proven (the proof itself stays in the transaction's calldata). A vote without params emits
/// {IGovernor-VoteCast}.
/// Gas: votes never write merit storage. Anyone may cache what every merit vote at a snapshot shares (root, decay
/// factor, k, cap) with {cacheMeritSnapshot} ({MeritSnapshotCached}); merit votes at the snapshot cached most recently
/// (the cache hint, kept beside the latest merit parameters) then read it from one storage word keyed by (snapshot,
/// the root their proof leads to). Otherwise a vote computes it, reading OPEN's past total supply only when the cap
/// might bind (exact either way: the cached and computed figures are the same).
/// Quorum = quorumBps x totalVotingSupply(t), with totalVotingSupply(t) = OPEN total supply at `t` + k x the root's
/// decayed total merit. k, the half-life, the merit cap and the quorum are governed, bounded and checkpointed (a
/// change applies to snapshots from the time it is executed on, never to a running vote).
interface ILineageGovernor {
    /// @notice The merit and quorum parameters in force from a timepoint on (packed in one checkpoint).
    /// @param meritWeight k, scaled by `MERIT_WEIGHT_SCALE` (10,000 = 1 vote per unit of merit).
    /// @param meritCapBps The cap of one account's merit votes, bps of the total voting supply.
    /// @param quorumBps The quorum, bps of the total voting supply.
    /// @param halfLife Seconds for merit to halve.
    struct MeritParameters {
        uint32 meritWeight;
        uint16 meritCapBps;
        uint16 quorumBps;
        uint64 halfLife;
    }

    /// @notice A governed parameter outside its hard bounds.
    error LineageGovernorParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The token does not use a timestamp clock (ERC-6372 "mode=timestamp").
    error LineageGovernorClockMismatch(string tokenClockMode);
    /// @notice A zero address given for the token, staking registry or merit roots.
    error LineageGovernorZeroAddress();
    /// @notice Vote params that are not `abi.encode(uint256, uint256, bytes32[])`.
    error LineageGovernorMalformedMeritParams(uint256 length);
    /// @notice The merit roots answered an `epochEnd` that does not fit 64 bits (a malformed `finalRootAt` answer).
    error LineageGovernorMalformedMeritRoot(uint256 epochEnd);
    /// @notice No payout root was final at the timepoint.
    error LineageGovernorNoMeritRoot(uint256 timepoint);
    /// @notice The proof does not show the leaf `(account, cumulativeAmount, merit)` in the root.
    error LineageGovernorInvalidMeritProof(address account, bytes32 root);
    /// @notice A merit snapshot can only be cached for a past timepoint (`timepoint < clock`).
    error LineageGovernorFutureLookup(uint256 timepoint, uint256 clock);

    /// @notice The merit and quorum parameters changed, in force from `effectiveFrom`.
    event MeritParametersSet(
        uint32 meritWeight, uint64 halfLife, uint16 meritCapBps, uint16 quorumBps, uint48 effectiveFrom
    );

    /// @notice The merit snapshot at `timepoint` was computed and cached (or cached again), and `timepoint` is now the
    /// cache hint: the root final then, the decay from its
    /// epoch end to `timepoint` split as `merit x decayFactorQ128 / 2^128 >> halvings` (a zero factor stands for 1),
    /// k (0 when every merit has decayed to nothing) and one account's merit cap in votes (saturated at 2^95 - 1).
    event MeritSnapshotCached(
        uint256 indexed timepoint,
        bytes32 root,
        uint256 decayFactorQ128,
        uint256 halvings,
        uint256 meritWeight,
        uint256 meritCap
    );

    /// @notice Computes and caches the merit snapshot at a past `timepoint` (votes never do; a cached snapshot makes
    /// merit votes at it cheaper) and makes `timepoint` the cache hint (the one snapshot whose record votes read; a
    /// record cached earlier is then computed again by votes, with the same result, until its snapshot is cached
    /// again); permissionless, a no-op when `timepoint` is already cached and hinted, else emits
    /// {MeritSnapshotCached}. Reverts when no root was final at `timepoint` or `timepoint` is not in the past.
    /// @return root The payout root final at `timepoint`.
    function cacheMeritSnapshot(uint256 timepoint) external returns (bytes32 root);

    /// @notice The cache hint: the timepoint most recently cached by {cacheMeritSnapshot} (0 before any), the one
    /// snapshot whose cached record merit votes read (a merit vote at another snapshot computes what it needs).
    function meritCacheHint() external view returns (uint256 timepoint);

    /// @notice Sets k, the merit half-life, the merit cap and the quorum (only through governance, within bounds).
    function setMeritParameters(uint32 meritWeight, uint64 halfLife, uint16 meritCapBps, uint16 quorumBps) external;

    /// @notice The merit and quorum parameters in force at `timepoint`.
    function meritParametersAt(uint256 timepoint) external view returns (MeritParameters memory);

    /// @notice The merit votes `params` prove for `account` at `timepoint` (weighted, decayed, capped); reverts
    /// on a bad proof. Zero for empty params.
    function meritVotes(address account, uint256 timepoint, bytes calldata params) external view returns (uint256);

    /// @notice OPEN total supply at `timepoint` plus k x the decayed total merit of the root final at `timepoint`.
    function totalVotingSupply(uint256 timepoint) external view returns (uint256);

    /// @notice `merit` valued at `epochEnd`, decayed to `timepoint` with the half-life in force at `timepoint`.
    function decayedMerit(uint256 merit, uint256 epochEnd, uint256 timepoint) external view returns (uint256);

    /// @notice The OPEN token (ERC-5805, timestamp clock).
    function openToken() external view returns (IERC5805);

    /// @notice The StakingRegistry whose checkpointed stake adds to votes.
    function staking() external view returns (IOperatorStaking);

    /// @notice The RewardsDistributor whose final payout roots carry merit.
    function meritRoots() external view returns (IMeritRoots);
}

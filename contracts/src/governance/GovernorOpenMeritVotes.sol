// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ILineageGovernor} from "../interfaces/ILineageGovernor.sol";
import {IOperatorStaking} from "../interfaces/IOperatorStaking.sol";
import {IMeritRoots} from "../interfaces/IMeritRoots.sol";
import {MeritDecayLib} from "../libraries/MeritDecayLib.sol";

/// @title GovernorOpenMeritVotes
/// @notice Governor votes and quorum module: OPEN votes + staked OPEN + merit proven at vote time (see
/// {ILineageGovernor}). Replaces OpenZeppelin's GovernorVotes and GovernorVotesQuorumFraction.
/// @dev The clock is the block timestamp, read locally (the constructor checks that the token's ERC-6372 clock is
/// the same), which saves the token call OpenZeppelin's GovernorVotes makes for every `clock()`.
abstract contract GovernorOpenMeritVotes is Governor, ILineageGovernor {
    using Checkpoints for Checkpoints.Trace208;

    /* CONSTANTS (hard bounds) */

    /// @notice k = 1 in `meritWeight` units.
    uint256 public constant MERIT_WEIGHT_SCALE = 10_000;
    /// @notice The largest k (10 votes per unit of merit).
    uint32 public constant MAX_MERIT_WEIGHT = 100_000;
    /// @notice Bounds of the merit half-life.
    uint64 public constant MIN_MERIT_HALF_LIFE = 7 days;
    /// @notice Bounds of the merit half-life.
    uint64 public constant MAX_MERIT_HALF_LIFE = 4 * 365 days;
    /// @notice The largest merit cap, bps of the total voting supply.
    uint16 public constant MAX_MERIT_CAP_BPS = 5_000;
    /// @notice Bounds of the quorum, bps of the total voting supply.
    uint16 public constant MIN_QUORUM_BPS = 100;
    /// @notice Bounds of the quorum, bps of the total voting supply.
    uint16 public constant MAX_QUORUM_BPS = 2_000;
    /// @dev Basis points in 100%.
    uint256 private constant BPS = 10_000;
    /// @dev `abi.encode(uint256, uint256, bytes32[])` is at least this long (two words, offset, length).
    uint256 private constant MIN_PARAMS_LENGTH = 128;
    /// @dev The offset of the proof array in canonical `abi.encode(uint256, uint256, bytes32[])`.
    uint256 private constant PROOF_OFFSET = 0x60;
    /// @dev A cached merit cap at or above this value is saturated (the exact cap is recomputed if it might bind).
    uint256 private constant SATURATED_CAP = type(uint96).max;

    /* STORAGE */

    IERC5805 private immutable _openToken;
    IOperatorStaking private immutable _staking;
    IMeritRoots private immutable _meritRoots;
    /// @dev Packed {MeritParameters}, checkpointed by timestamp.
    Checkpoints.Trace208 private _meritParams;

    /// @dev What every merit vote at one snapshot shares, in two slots: the root final at the snapshot, the split
    /// decay factor from its epoch end to the snapshot ({MeritDecayLib-factorOf}), k (0 when the merit has decayed
    /// to nothing) and the merit cap in votes (saturated at `SATURATED_CAP`).
    struct MeritSnapshot {
        bytes32 root;
        uint128 factor;
        uint8 halvings;
        uint24 meritWeight;
        uint96 cap;
    }

    /// @dev {MeritSnapshot} per past timepoint, written by the first merit vote at that snapshot (or by anyone through
    /// {cacheMeritSnapshot}). Everything it derives from is history that no longer changes once the timepoint is past
    /// (the final-root history, OPEN's total supply checkpoints, the merit parameter checkpoints).
    mapping(uint256 timepoint => MeritSnapshot) private _snapshots;

    constructor(IERC5805 openToken_, IOperatorStaking staking_, IMeritRoots meritRoots_, MeritParameters memory p) {
        if (address(openToken_) == address(0) || address(staking_) == address(0) || address(meritRoots_) == address(0))
        {
            revert LineageGovernorZeroAddress();
        }
        string memory mode = openToken_.CLOCK_MODE();
        if (keccak256(bytes(mode)) != keccak256("mode=timestamp")) revert LineageGovernorClockMismatch(mode);
        _openToken = openToken_;
        _staking = staking_;
        _meritRoots = meritRoots_;
        _setMeritParameters(p, 0);
    }

    /* CLOCK (ERC-6372) */

    /// @notice The votes clock: the block timestamp (the token's clock, checked at construction).
    function clock() public view virtual override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice The clock's mode: "mode=timestamp".
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public view virtual override returns (string memory) {
        return "mode=timestamp";
    }

    /* GOVERNANCE */

    /// @inheritdoc ILineageGovernor
    function setMeritParameters(uint32 meritWeight, uint64 halfLife, uint16 meritCapBps, uint16 quorumBps)
        external
        onlyGovernance
    {
        _setMeritParameters(
            MeritParameters({
                meritWeight: meritWeight, meritCapBps: meritCapBps, quorumBps: quorumBps, halfLife: halfLife
            }),
            clock()
        );
    }

    /// @inheritdoc ILineageGovernor
    function cacheMeritSnapshot(uint256 timepoint) external returns (bytes32 root) {
        uint48 now_ = clock();
        if (timepoint >= now_) revert LineageGovernorFutureLookup(timepoint, now_);
        return _cachedMeritSnapshot(timepoint).root;
    }

    /* VIEWS */

    /// @notice Quorum at `timepoint`: quorumBps x {totalVotingSupply}.
    function quorum(uint256 timepoint) public view virtual override returns (uint256) {
        return (totalVotingSupply(timepoint) * _paramsAt(timepoint).quorumBps) / BPS;
    }

    /// @inheritdoc ILineageGovernor
    function meritParametersAt(uint256 timepoint) external view returns (MeritParameters memory) {
        return _paramsAt(timepoint);
    }

    /// @inheritdoc ILineageGovernor
    function meritVotes(address account, uint256 timepoint, bytes calldata params)
        external
        view
        returns (uint256 votes)
    {
        if (params.length != 0) {
            (votes,) = _meritVotes(account, timepoint, params, _meritSnapshotAt(timepoint));
        }
    }

    /// @inheritdoc ILineageGovernor
    function totalVotingSupply(uint256 timepoint) public view returns (uint256 supply) {
        (, supply,) = _meritState(timepoint);
    }

    /// @inheritdoc ILineageGovernor
    function decayedMerit(uint256 merit, uint256 epochEnd, uint256 timepoint) external view returns (uint256) {
        return
            MeritDecayLib.decay(merit, timepoint > epochEnd ? timepoint - epochEnd : 0, _paramsAt(timepoint).halfLife);
    }

    /// @inheritdoc ILineageGovernor
    function openToken() external view returns (IERC5805) {
        return _openToken;
    }

    /// @inheritdoc ILineageGovernor
    function staking() external view returns (IOperatorStaking) {
        return _staking;
    }

    /// @inheritdoc ILineageGovernor
    function meritRoots() external view returns (IMeritRoots) {
        return _meritRoots;
    }

    /* INTERNAL */

    /// @dev OPEN votes + staked OPEN, plus proven merit when `params` is not empty (a view: reads the cached
    /// snapshot when there is one, computes it otherwise; never writes).
    function _getVotes(address account, uint256 timepoint, bytes memory params)
        internal
        view
        virtual
        override
        returns (uint256 votes)
    {
        votes = _baseVotes(account, timepoint);
        if (params.length != 0) {
            (uint256 merit,) = _meritVotes(account, timepoint, params, _meritSnapshotAt(timepoint));
            votes += merit;
        }
    }

    /// @dev OpenZeppelin's vote, except that a vote with a merit proof reads the merit through the snapshot cache (the
    /// first merit vote at a snapshot writes it) and its {IGovernor-VoteCastWithParams} event carries
    /// `abi.encode(leaf)` (32 bytes: the StandardMerkleTree leaf hash of the proven `(account, cumulativeAmount,
    /// merit)`) instead of the whole proof, which stays in the transaction's calldata. Without params: {VoteCast}.
    function _castVote(uint256 proposalId, address account, uint8 support, string memory reason, bytes memory params)
        internal
        virtual
        override
        returns (uint256 votedWeight)
    {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        uint256 timepoint = proposalSnapshot(proposalId);
        uint256 weight = _baseVotes(account, timepoint);
        bytes32 leaf;
        if (params.length != 0) {
            uint256 merit;
            (merit, leaf) = _meritVotes(account, timepoint, params, _cachedMeritSnapshot(timepoint));
            weight += merit;
        }
        votedWeight = _countVote(proposalId, account, support, weight, params);
        if (params.length == 0) emit VoteCast(account, proposalId, support, votedWeight, reason);
        else emit VoteCastWithParams(account, proposalId, support, votedWeight, reason, abi.encode(leaf));
        _tallyUpdated(proposalId);
    }

    /// @dev OPEN votes + staked OPEN at `timepoint`.
    function _baseVotes(address account, uint256 timepoint) internal view returns (uint256) {
        return _openToken.getPastVotes(account, timepoint) + _staking.getPastStakedVotes(account, timepoint);
    }

    /// @dev Verifies the voter's own leaf against the snapshot's root; returns the merit weighted, decayed and capped,
    /// and the leaf hash.
    function _meritVotes(address account, uint256 timepoint, bytes memory params, MeritSnapshot memory s)
        internal
        view
        returns (uint256 votes, bytes32 leaf)
    {
        (uint256 cumulativeAmount, uint256 merit, bytes32[] memory proof) = _decodeMeritParams(params);
        leaf = _leafHash(account, cumulativeAmount, merit);
        if (!_verifyProof(proof, s.root, leaf)) revert LineageGovernorInvalidMeritProof(account, s.root);
        votes = _applySnapshot(s, merit);
        if (votes <= s.cap) return (votes, leaf);
        // Over the cap: the cap, exactly (recomputed only when the cached one is saturated).
        if (s.cap != SATURATED_CAP) return (s.cap, leaf);
        (, uint256 exactCap) = _computeMeritSnapshotWithCap(timepoint);
        return (Math.min(votes, exactCap), leaf);
    }

    /// @dev The StandardMerkleTree leaf `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount,
    /// merit))))`, hashed in scratch memory.
    function _leafHash(address account, uint256 cumulativeAmount, uint256 merit) internal pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, account)
            mstore(add(ptr, 0x20), cumulativeAmount)
            mstore(add(ptr, 0x40), merit)
            mstore(0x00, keccak256(ptr, 0x60))
            leaf := keccak256(0x00, 0x20)
        }
    }

    /// @dev OpenZeppelin's `MerkleProof.verify` (sorted-pair hashing, `Hashes.commutativeKeccak256`) as one assembly
    /// loop over the proof in memory (tested against OpenZeppelin's library and the JS merkle-tree vectors).
    function _verifyProof(bytes32[] memory proof, bytes32 root, bytes32 leaf) internal pure returns (bool) {
        bytes32 computed = leaf;
        assembly ("memory-safe") {
            let p := add(proof, 0x20)
            for { let end := add(p, shl(5, mload(proof))) } lt(p, end) { p := add(p, 0x20) } {
                let sibling := mload(p)
                switch lt(computed, sibling)
                case 0 {
                    mstore(0x00, sibling)
                    mstore(0x20, computed)
                }
                default {
                    mstore(0x00, computed)
                    mstore(0x20, sibling)
                }
                computed := keccak256(0x00, 0x40)
            }
        }
        return computed == root;
    }

    /// @dev `abi.encode(uint256 cumulativeAmount, uint256 merit, bytes32[] proof)`, canonical (offset 0x60, no
    /// trailing bytes), read in place: the proof array aliases `params`' memory (no copy).
    function _decodeMeritParams(bytes memory params)
        internal
        pure
        returns (uint256 cumulativeAmount, uint256 merit, bytes32[] memory proof)
    {
        uint256 length = params.length;
        if (length < MIN_PARAMS_LENGTH) revert LineageGovernorMalformedMeritParams(length);
        uint256 offset;
        uint256 n;
        assembly ("memory-safe") {
            cumulativeAmount := mload(add(params, 0x20))
            merit := mload(add(params, 0x40))
            offset := mload(add(params, 0x60))
            proof := add(params, 0x80)
            n := mload(proof)
        }
        uint256 tail = length - MIN_PARAMS_LENGTH;
        if (offset != PROOF_OFFSET || tail % 32 != 0 || n != tail / 32) {
            revert LineageGovernorMalformedMeritParams(length);
        }
    }

    /// @dev The cached snapshot at `timepoint`, or the computed one (not written).
    function _meritSnapshotAt(uint256 timepoint) internal view returns (MeritSnapshot memory s) {
        s = _snapshots[timepoint];
        if (s.root == bytes32(0)) s = _computeMeritSnapshot(timepoint);
    }

    /// @dev The cached snapshot at `timepoint` (a past timepoint), computing and writing it on first use.
    function _cachedMeritSnapshot(uint256 timepoint) internal returns (MeritSnapshot memory s) {
        s = _snapshots[timepoint];
        if (s.root != bytes32(0)) return s;
        s = _computeMeritSnapshot(timepoint);
        _snapshots[timepoint] = s;
        emit MeritSnapshotCached(timepoint, s.root, s.factor, s.halvings, s.meritWeight, s.cap);
    }

    function _computeMeritSnapshot(uint256 timepoint) internal view returns (MeritSnapshot memory s) {
        (s,) = _computeMeritSnapshotWithCap(timepoint);
    }

    /// @dev The snapshot at `timepoint` and the exact cap; reverts when no root was final at `timepoint`.
    function _computeMeritSnapshotWithCap(uint256 timepoint)
        internal
        view
        returns (MeritSnapshot memory s, uint256 exactCap)
    {
        uint256 supply;
        uint256 capBps;
        (s, supply, capBps) = _meritState(timepoint);
        if (s.root == bytes32(0)) revert LineageGovernorNoMeritRoot(timepoint);
        exactCap = (supply * capBps) / BPS;
        s.cap = uint96(Math.min(exactCap, SATURATED_CAP));
    }

    /// @dev From the root final at `timepoint` (a zero root when none) and the parameters in force then: the snapshot
    /// (without its cap), the total voting supply (OPEN supply + k x decayed total merit) and the cap in bps.
    function _meritState(uint256 timepoint)
        internal
        view
        returns (MeritSnapshot memory s, uint256 votingSupply, uint256 capBps)
    {
        (bytes32 root, uint64 epochEnd, uint256 totalMerit) = _meritRoots.finalRootAt(timepoint);
        votingSupply = _openToken.getPastTotalSupply(timepoint);
        if (root == bytes32(0)) return (s, votingSupply, 0);
        MeritParameters memory p = _paramsAt(timepoint);
        (uint256 factor, uint256 halvings) =
            MeritDecayLib.factorOf(timepoint > epochEnd ? timepoint - epochEnd : 0, p.halfLife);
        s.root = root;
        if (halvings < MeritDecayLib.MAX_HALVINGS) {
            // `factor < 2^128`, `halvings < 256`, `meritWeight <= MAX_MERIT_WEIGHT < 2^24`.
            s.factor = uint128(factor);
            s.halvings = uint8(halvings);
            s.meritWeight = uint24(p.meritWeight);
        } // else every merit has decayed to nothing: k = 0 stands for it.
        votingSupply += _applySnapshot(s, totalMerit);
        capBps = p.meritCapBps;
    }

    /// @dev k x merit decayed by the snapshot's split factor (`k x decay(merit) / MERIT_WEIGHT_SCALE`).
    function _applySnapshot(MeritSnapshot memory s, uint256 merit) internal pure returns (uint256) {
        if (s.meritWeight == 0) return 0;
        return (MeritDecayLib.applyFactor(merit, s.factor, s.halvings) * s.meritWeight) / MERIT_WEIGHT_SCALE;
    }

    function _paramsAt(uint256 timepoint) internal view returns (MeritParameters memory p) {
        uint256 packed = _meritParams.upperLookupRecent(uint48(Math.min(timepoint, type(uint48).max)));
        p.meritWeight = uint32(packed);
        p.meritCapBps = uint16(packed >> 32);
        p.quorumBps = uint16(packed >> 48);
        p.halfLife = uint64(packed >> 64);
    }

    function _setMeritParameters(MeritParameters memory p, uint48 effectiveFrom) internal {
        _checkBounds("meritWeight", p.meritWeight, 0, MAX_MERIT_WEIGHT);
        _checkBounds("meritHalfLife", p.halfLife, MIN_MERIT_HALF_LIFE, MAX_MERIT_HALF_LIFE);
        _checkBounds("meritCapBps", p.meritCapBps, 0, MAX_MERIT_CAP_BPS);
        _checkBounds("quorumBps", p.quorumBps, MIN_QUORUM_BPS, MAX_QUORUM_BPS);
        uint256 packed = uint256(p.meritWeight) | (uint256(p.meritCapBps) << 32) | (uint256(p.quorumBps) << 48)
            | (uint256(p.halfLife) << 64);
        _meritParams.push(effectiveFrom, uint208(packed));
        emit MeritParametersSet(p.meritWeight, p.halfLife, p.meritCapBps, p.quorumBps, effectiveFrom);
    }

    function _checkBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert LineageGovernorParameterOutOfBounds(parameter, value, min, max);
    }
}

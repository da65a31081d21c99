// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
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

    /* STORAGE */

    IERC5805 private immutable _openToken;
    IOperatorStaking private immutable _staking;
    IMeritRoots private immutable _meritRoots;
    /// @dev Packed {MeritParameters}, checkpointed by timestamp.
    Checkpoints.Trace208 private _meritParams;

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
    function meritVotes(address account, uint256 timepoint, bytes calldata params) external view returns (uint256) {
        return params.length == 0 ? 0 : _meritVotes(account, timepoint, params);
    }

    /// @inheritdoc ILineageGovernor
    function totalVotingSupply(uint256 timepoint) public view returns (uint256) {
        (bytes32 root, uint64 epochEnd, uint256 totalMerit) = _meritRoots.finalRootAt(timepoint);
        uint256 supply = _openToken.getPastTotalSupply(timepoint);
        if (root == bytes32(0) || totalMerit == 0) return supply;
        return supply + _weightedMerit(totalMerit, epochEnd, timepoint, _paramsAt(timepoint));
    }

    /// @inheritdoc ILineageGovernor
    function decayedMerit(uint256 merit, uint256 epochEnd, uint256 timepoint) external view returns (uint256) {
        return _decay(merit, epochEnd, timepoint, _paramsAt(timepoint).halfLife);
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

    /// @dev OPEN votes + staked OPEN, plus proven merit when `params` is not empty.
    function _getVotes(address account, uint256 timepoint, bytes memory params)
        internal
        view
        virtual
        override
        returns (uint256 votes)
    {
        votes = _openToken.getPastVotes(account, timepoint) + _staking.getPastStakedVotes(account, timepoint);
        if (params.length != 0) votes += _meritVotes(account, timepoint, params);
    }

    /// @dev Verifies the voter's own leaf against the root final at `timepoint`; returns the merit weighted,
    /// decayed and capped.
    function _meritVotes(address account, uint256 timepoint, bytes memory params) internal view returns (uint256) {
        if (params.length < MIN_PARAMS_LENGTH) revert LineageGovernorMalformedMeritParams(params.length);
        (uint256 cumulativeAmount, uint256 merit, bytes32[] memory proof) =
            abi.decode(params, (uint256, uint256, bytes32[]));
        (bytes32 root, uint64 epochEnd, uint256 totalMerit) = _meritRoots.finalRootAt(timepoint);
        if (root == bytes32(0)) revert LineageGovernorNoMeritRoot(timepoint);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount, merit))));
        if (!MerkleProof.verify(proof, root, leaf)) revert LineageGovernorInvalidMeritProof(account, root);
        MeritParameters memory p = _paramsAt(timepoint);
        uint256 weighted = _weightedMerit(merit, epochEnd, timepoint, p);
        if (weighted == 0) return 0;
        // The total voting supply is at least k x the decayed total merit, and merit decays by the same factor for
        // every leaf of a root: the cap cannot bind while `merit <= capBps x totalMerit / 2` (the half absorbs
        // rounding), so the supply and the total's decay are read only when it might.
        if (merit <= Math.mulDiv(totalMerit, p.meritCapBps, 2 * BPS)) return weighted;
        uint256 supply = _openToken.getPastTotalSupply(timepoint) + _weightedMerit(totalMerit, epochEnd, timepoint, p);
        return Math.min(weighted, (supply * p.meritCapBps) / BPS);
    }

    /// @dev k x merit x 2^(-(timepoint - epochEnd) / halfLife).
    function _weightedMerit(uint256 merit, uint256 epochEnd, uint256 timepoint, MeritParameters memory p)
        internal
        pure
        returns (uint256)
    {
        return (_decay(merit, epochEnd, timepoint, p.halfLife) * p.meritWeight) / MERIT_WEIGHT_SCALE;
    }

    function _decay(uint256 merit, uint256 epochEnd, uint256 timepoint, uint256 halfLife)
        internal
        pure
        returns (uint256)
    {
        return MeritDecayLib.decay(merit, timepoint > epochEnd ? timepoint - epochEnd : 0, halfLife);
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

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
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
    uint256 private constant SATURATED_CAP = type(uint96).max >> 1;
    /// @dev Bit positions of a cached {MeritSnapshot} word: factor (128 bits) | halvings (8) | k (24) | cap (95) | set.
    uint256 private constant HALVINGS_SHIFT = 128;
    uint256 private constant WEIGHT_SHIFT = 136;
    uint256 private constant CAP_SHIFT = 160;
    uint256 private constant CACHED_FLAG = 1 << 255;
    /// @dev Where `_latestMeritParams` keeps the time the latest parameters took effect (above the 128 packed bits).
    uint256 private constant PARAMS_FROM_SHIFT = 128;
    /// @dev The packed parameters' bits in `_latestMeritParams`.
    uint256 private constant PARAMS_MASK = type(uint128).max;
    /// @dev Where `_latestMeritParams` keeps its cache hint: the timepoint most recently cached (80 bits).
    uint256 private constant HINT_SHIFT = 176;
    /// @dev The bits of `_latestMeritParams` below the hint (parameters and the time they took effect).
    uint256 private constant BELOW_HINT_MASK = (1 << HINT_SHIFT) - 1;

    /* STORAGE */

    IERC5805 private immutable _openToken;
    IOperatorStaking private immutable _staking;
    IMeritRoots private immutable _meritRoots;
    /// @dev Packed {MeritParameters}, checkpointed by timestamp.
    Checkpoints.Trace208 private _meritParams;
    /// @dev The latest {MeritParameters} (packed as in `_meritParams`, 128 bits), above them the time they took effect
    /// (48 bits; a timepoint at or after it reads this one slot instead of the checkpoint history), and above that the
    /// cache hint: the timepoint most recently cached by {cacheMeritSnapshot} (80 bits). A merit vote reads this slot
    /// first and looks for a cached record only when its snapshot is the hint: an uncached vote pays no missed read.
    /// The hint only steers gas: a cached record and the computation give the same votes.
    uint256 private _latestMeritParams;

    /// @dev What every merit vote at one snapshot shares: the root final at the snapshot, the split decay factor from
    /// its epoch end to the snapshot ({MeritDecayLib-factorOf}), k (0 when the merit has decayed to nothing) and the
    /// merit cap in votes (saturated at `SATURATED_CAP`).
    struct MeritSnapshot {
        bytes32 root;
        uint128 factor;
        uint8 halvings;
        uint24 meritWeight;
        uint96 cap;
    }

    /// @dev {MeritSnapshot} without its root, packed in one word, under `keccak256(timepoint, root)`: written only by
    /// {cacheMeritSnapshot} (anyone, past timepoints only; votes never write it), after checking that `root` IS the
    /// root final at `timepoint`. A vote at a hinted snapshot (see `_latestMeritParams`) computes the root its proof
    /// leads to and looks for the word under that key: found means the proof leads to the root final at the snapshot
    /// (the proof is valid); missing (or not hinted) means the vote computes what it needs itself (uncached, or an
    /// invalid proof, which then reverts). Everything the record derives
    /// from is history that no longer changes once the timepoint is past (the final-root history, OPEN's total supply
    /// checkpoints, the merit parameter checkpoints).
    mapping(bytes32 key => uint256 packed) private _snapshots;

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
        MeritSnapshot memory s = _computeMeritSnapshot(timepoint);
        bytes32 key = _snapshotKey(timepoint, s.root);
        uint256 latest = _latestMeritParams;
        if (latest >> HINT_SHIFT == timepoint && _snapshots[key] != 0) return s.root;
        // This timepoint becomes the hint (replacing the previous one); the record is (re)written, the same word.
        _latestMeritParams = (latest & BELOW_HINT_MASK) | (timepoint << HINT_SHIFT);
        _cacheSnapshot(key, timepoint, s);
        return s.root;
    }

    /* VIEWS */

    /// @notice Quorum at `timepoint`: quorumBps x {totalVotingSupply}.
    function quorum(uint256 timepoint) public view virtual override returns (uint256) {
        return (totalVotingSupply(timepoint) * uint16(_paramsPackedAt(timepoint) >> 48)) / BPS;
    }

    /// @inheritdoc ILineageGovernor
    function meritCacheHint() external view returns (uint256) {
        return _latestMeritParams >> HINT_SHIFT;
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
            (votes,) = _meritVotes(account, timepoint, params, 0);
        }
    }

    /// @inheritdoc ILineageGovernor
    function totalVotingSupply(uint256 timepoint) public view returns (uint256 supply) {
        (, supply,) = _meritState(timepoint);
    }

    /// @inheritdoc ILineageGovernor
    function decayedMerit(uint256 merit, uint256 epochEnd, uint256 timepoint) external view returns (uint256) {
        return MeritDecayLib.decay(
            merit, timepoint > epochEnd ? timepoint - epochEnd : 0, uint64(_paramsPackedAt(timepoint) >> 64)
        );
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

    /// @dev OPEN votes + staked OPEN, plus proven merit when `params` is not empty (reads the cached snapshot when
    /// there is one, computes what it needs otherwise; never writes).
    function _getVotes(address account, uint256 timepoint, bytes memory params)
        internal
        view
        virtual
        override
        returns (uint256 votes)
    {
        uint256 openVotes;
        (openVotes, votes) = _baseVotes(account, timepoint);
        if (params.length != 0) {
            (uint256 merit,) = _meritVotes(account, timepoint, params, openVotes);
            votes += merit;
        }
    }

    /// @dev OpenZeppelin's vote, except that a vote with a merit proof reads the merit through the snapshot cache when
    /// {cacheMeritSnapshot} wrote it (votes never write it) and its {IGovernor-VoteCastWithParams} event carries
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
        (uint256 openVotes, uint256 weight) = _baseVotes(account, timepoint);
        bytes32 leaf;
        if (params.length != 0) {
            uint256 merit;
            (merit, leaf) = _meritVotes(account, timepoint, params, openVotes);
            weight += merit;
        }
        votedWeight = _countVote(proposalId, account, support, weight, params);
        if (params.length == 0) emit VoteCast(account, proposalId, support, votedWeight, reason);
        else _emitVoteCastWithLeaf(account, proposalId, support, votedWeight, reason, leaf);
        _tallyUpdated(proposalId);
    }

    /// @dev `emit VoteCastWithParams(account, proposalId, support, weight, reason, abi.encode(leaf))`, ABI-encoded in
    /// assembly (the same log as Solidity's `emit`, checked by the tests' `expectEmit`, without its generic encoder).
    function _emitVoteCastWithLeaf(
        address account,
        uint256 proposalId,
        uint8 support,
        uint256 weight,
        string memory reason,
        bytes32 leaf
    ) internal {
        bytes32 topic = VoteCastWithParams.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let len := mload(reason)
            let padded := and(add(len, 31), not(31))
            mstore(ptr, proposalId)
            mstore(add(ptr, 0x20), and(support, 0xff))
            mstore(add(ptr, 0x40), weight)
            mstore(add(ptr, 0x60), 0xa0) // offset of `reason`
            mstore(add(ptr, 0x80), add(0xc0, padded)) // offset of `params`
            mstore(add(ptr, 0xa0), len)
            mcopy(add(ptr, 0xc0), add(reason, 0x20), len)
            mstore(add(add(ptr, 0xc0), len), 0) // zero the padding after `reason`
            let q := add(add(ptr, 0xc0), padded)
            mstore(q, 0x20) // params.length
            mstore(add(q, 0x20), leaf)
            log2(ptr, add(sub(q, ptr), 0x40), topic, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
        }
    }

    /// @dev OPEN votes, and OPEN votes + staked OPEN, at `timepoint`.
    function _baseVotes(address account, uint256 timepoint) internal view returns (uint256 openVotes, uint256 votes) {
        (openVotes,,) =
            _staticView(address(_openToken), IVotes.getPastVotes.selector, uint160(account), timepoint, 0x44, 0x20);
        (uint256 staked,,) = _staticView(
            address(_staking), IOperatorStaking.getPastStakedVotes.selector, uint160(account), timepoint, 0x44, 0x20
        );
        votes = openVotes + staked;
    }

    /// @dev Verifies the voter's own leaf against the root final at `timepoint` (through the snapshot cache when it
    /// holds the record, else against {IMeritRoots-finalRootAt}); returns the merit weighted, decayed and capped, and
    /// the leaf. Never writes. `openVotes` is a lower bound of OPEN's total supply at `timepoint` (the voter's own
    /// OPEN votes, or 0), only used to skip reading the supply (see {_uncachedMeritVotes}).
    function _meritVotes(address account, uint256 timepoint, bytes memory params, uint256 openVotes)
        internal
        view
        returns (uint256 votes, bytes32 leaf)
    {
        uint256 merit;
        bytes32 root;
        (merit, leaf, root) = _proveLeaf(account, params);
        uint256 latest = _latestMeritParams;
        uint256 packed;
        if (latest >> HINT_SHIFT == timepoint) packed = _snapshots[_snapshotKey(timepoint, root)];
        MeritSnapshot memory s;
        if (packed == 0) return (_uncachedMeritVotes(account, timepoint, root, merit, openVotes, latest), leaf);
        s.factor = uint128(packed);
        s.halvings = uint8(packed >> HALVINGS_SHIFT);
        s.meritWeight = uint24(packed >> WEIGHT_SHIFT);
        s.cap = uint96((packed >> CAP_SHIFT) & SATURATED_CAP);
        votes = _applySnapshot(s, merit);
        if (votes <= s.cap) return (votes, leaf);
        // Over the cap: the cap, exactly (recomputed only when the cached one is saturated).
        if (s.cap != SATURATED_CAP) return (s.cap, leaf);
        (, uint256 exactCap) = _computeMeritSnapshotWithCap(timepoint);
        return (Math.min(votes, exactCap), leaf);
    }

    /// @dev A merit vote without a cached record: checks that `root` (where the proof led) is the root final at
    /// `timepoint` and weighs, decays and caps `merit`. Lazy cap: the total voting supply is OPEN's supply plus the
    /// weighted decayed total merit `wT`, and the supply is at least the voter's own OPEN votes `openVotes` (ERC-5805
    /// votes are delegated balances: their sum never exceeds the supply at the same timepoint), so the cap is at least
    /// `(openVotes + wT) x capBps / BPS` (floors included); while the votes are within that bound the cap cannot bind
    /// and OPEN's past total supply is not read. Otherwise the exact cap `(supply + wT) x capBps / BPS` applies, as in
    /// {totalVotingSupply}. `latest` is `_latestMeritParams`, already read.
    function _uncachedMeritVotes(
        address account,
        uint256 timepoint,
        bytes32 root,
        uint256 merit,
        uint256 openVotes,
        uint256 latest
    ) internal view returns (uint256 votes) {
        (MeritSnapshot memory s, uint256 weightedTotal, uint256 capBps) = _meritRecord(timepoint, latest);
        if (s.root != root) {
            if (s.root == bytes32(0)) revert LineageGovernorNoMeritRoot(timepoint);
            revert LineageGovernorInvalidMeritProof(account, s.root);
        }
        votes = _applySnapshot(s, merit);
        if (votes <= ((openVotes + weightedTotal) * capBps) / BPS) return votes;
        return Math.min(votes, ((_pastTotalSupply(timepoint) + weightedTotal) * capBps) / BPS);
    }

    /// @dev Reads canonical `params` = `abi.encode(uint256 cumulativeAmount, uint256 merit, bytes32[] proof)` in place
    /// (proof offset 0x60, exact length; else {LineageGovernorMalformedMeritParams}), hashes the StandardMerkleTree
    /// leaf `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount, merit))))` and returns the root the
    /// proof leads to: OpenZeppelin's `MerkleProof.processProof` (sorted-pair hashing) as one assembly loop (tested
    /// against OpenZeppelin's library and the JS merkle-tree vectors).
    function _proveLeaf(address account, bytes memory params)
        internal
        pure
        returns (uint256 merit, bytes32 leaf, bytes32 root)
    {
        uint256 length = params.length;
        bool canonical;
        assembly ("memory-safe") {
            let n := mload(add(params, 0x80))
            canonical := and(
                and(iszero(lt(length, MIN_PARAMS_LENGTH)), eq(mload(add(params, 0x60)), PROOF_OFFSET)),
                and(lt(n, 0x100000000), eq(length, add(MIN_PARAMS_LENGTH, shl(5, n))))
            )
            if canonical {
                merit := mload(add(params, 0x40))
                let ptr := mload(0x40)
                mstore(ptr, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
                mstore(add(ptr, 0x20), mload(add(params, 0x20)))
                mstore(add(ptr, 0x40), merit)
                mstore(0x00, keccak256(ptr, 0x60))
                leaf := keccak256(0x00, 0x20)
                root := leaf
                let p := add(params, 0xa0)
                let end := add(p, shl(5, n))
                // Sorted pairs without a branch (the larger of the two goes to 0x20), two levels per iteration.
                if and(n, 1) {
                    let sibling := mload(p)
                    let slot := shl(5, lt(sibling, root))
                    mstore(slot, root)
                    mstore(xor(slot, 0x20), sibling)
                    root := keccak256(0x00, 0x40)
                    p := add(p, 0x20)
                }
                for {} lt(p, end) { p := add(p, 0x40) } {
                    let sibling := mload(p)
                    let slot := shl(5, lt(sibling, root))
                    mstore(slot, root)
                    mstore(xor(slot, 0x20), sibling)
                    root := keccak256(0x00, 0x40)
                    sibling := mload(add(p, 0x20))
                    slot := shl(5, lt(sibling, root))
                    mstore(slot, root)
                    mstore(xor(slot, 0x20), sibling)
                    root := keccak256(0x00, 0x40)
                }
            }
        }
        if (!canonical) revert LineageGovernorMalformedMeritParams(length);
    }

    /// @dev {IMeritRoots-finalRootAt} through {_staticView} (a revert is bubbled up; a short answer or an `epochEnd`
    /// above 64 bits reverts with {LineageGovernorMalformedMeritRoot}), without the generic ABI encoder and decoder.
    function _finalRootAt(uint256 timepoint)
        internal
        view
        returns (bytes32 root, uint256 epochEnd, uint256 totalMerit)
    {
        uint256 r;
        (r, epochEnd, totalMerit) =
            _staticView(address(_meritRoots), IMeritRoots.finalRootAt.selector, timepoint, 0, 0x24, 0x60);
        root = bytes32(r);
        if (epochEnd > type(uint64).max) revert LineageGovernorMalformedMeritRoot(epochEnd);
    }

    /// @dev OPEN's {IVotes-getPastTotalSupply} at `timepoint`, through the same plain `staticcall`.
    function _pastTotalSupply(uint256 timepoint) internal view returns (uint256 supply) {
        (supply,,) = _staticView(address(_openToken), IVotes.getPastTotalSupply.selector, timepoint, 0, 0x24, 0x20);
    }

    /// @dev `target.selector(arg0, arg1)` by `staticcall` with `argsSize` bytes of calldata (0x24: `arg0` alone, 0x44:
    /// both), without the generic ABI encoder and decoder: the first three words of its answer (only the first `size`
    /// bytes are meaningful: callers read no further); a revert is bubbled up, an answer shorter than `size` reverts.
    function _staticView(address target, bytes4 selector, uint256 arg0, uint256 arg1, uint256 argsSize, uint256 size)
        private
        view
        returns (uint256 a, uint256 b, uint256 c)
    {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 4), arg0)
            mstore(add(ptr, 0x24), arg1)
            if iszero(staticcall(gas(), target, ptr, argsSize, ptr, 0x60)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), size) { revert(0, 0) }
            a := mload(ptr)
            b := mload(add(ptr, 0x20))
            c := mload(add(ptr, 0x40))
        }
    }

    /// @dev The cache key of a snapshot record: `keccak256(abi.encode(timepoint, root))`.
    function _snapshotKey(uint256 timepoint, bytes32 root) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0x00, timepoint)
            mstore(0x20, root)
            key := keccak256(0x00, 0x40)
        }
    }

    /// @dev Writes a computed record (its root checked to be the one final at `timepoint`) under `key`, one word.
    function _cacheSnapshot(bytes32 key, uint256 timepoint, MeritSnapshot memory s) internal {
        _snapshots[key] = CACHED_FLAG | uint256(s.factor) | (uint256(s.halvings) << HALVINGS_SHIFT)
            | (uint256(s.meritWeight) << WEIGHT_SHIFT) | (uint256(s.cap) << CAP_SHIFT);
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
        uint256 weightedTotal;
        (s, weightedTotal, capBps) = _meritRecord(timepoint, _latestMeritParams);
        votingSupply = _pastTotalSupply(timepoint) + weightedTotal;
    }

    /// @dev The snapshot at `timepoint` (without its cap; a zero root when no root was final then), k x the decayed
    /// total merit of that root, and the merit cap in bps (0 without a root). Does not read OPEN's supply. `latest` is
    /// `_latestMeritParams`.
    function _meritRecord(uint256 timepoint, uint256 latest)
        internal
        view
        returns (MeritSnapshot memory s, uint256 weightedTotal, uint256 capBps)
    {
        (bytes32 root, uint256 epochEnd, uint256 totalMerit) = _finalRootAt(timepoint);
        if (root == bytes32(0)) return (s, 0, 0);
        uint256 packed = _paramsPackedFrom(latest, timepoint);
        (uint256 factor, uint256 halvings) =
            MeritDecayLib.factorOf(timepoint > epochEnd ? timepoint - epochEnd : 0, uint64(packed >> 64));
        s.root = root;
        if (halvings < MeritDecayLib.MAX_HALVINGS) {
            // `factor < 2^128`, `halvings < 256`, `meritWeight <= MAX_MERIT_WEIGHT < 2^24`.
            s.factor = uint128(factor);
            s.halvings = uint8(halvings);
            s.meritWeight = uint24(uint32(packed));
        } // else every merit has decayed to nothing: k = 0 stands for it.
        weightedTotal = _applySnapshot(s, totalMerit);
        capBps = uint16(packed >> 32);
    }

    /// @dev k x merit decayed by the snapshot's split factor (`k x decay(merit) / MERIT_WEIGHT_SCALE`).
    function _applySnapshot(MeritSnapshot memory s, uint256 merit) internal pure returns (uint256) {
        if (s.meritWeight == 0) return 0;
        return (MeritDecayLib.applyFactor(merit, s.factor, s.halvings) * s.meritWeight) / MERIT_WEIGHT_SCALE;
    }

    function _paramsAt(uint256 timepoint) internal view returns (MeritParameters memory p) {
        uint256 packed = _paramsPackedAt(timepoint);
        p.meritWeight = uint32(packed);
        p.meritCapBps = uint16(packed >> 32);
        p.quorumBps = uint16(packed >> 48);
        p.halfLife = uint64(packed >> 64);
    }

    /// @dev The packed parameters in force at `timepoint`: the latest ones from their own slot when `timepoint` is at
    /// or after the time they took effect, else from the checkpoint history (same answer as the history).
    function _paramsPackedAt(uint256 timepoint) internal view returns (uint256) {
        return _paramsPackedFrom(_latestMeritParams, timepoint);
    }

    /// @dev {_paramsPackedAt} with `_latestMeritParams` already read (`latest`).
    function _paramsPackedFrom(uint256 latest, uint256 timepoint) internal view returns (uint256) {
        if (timepoint >= uint48(latest >> PARAMS_FROM_SHIFT)) return latest & PARAMS_MASK; // below the hint
        return _meritParams.upperLookupRecent(uint48(timepoint));
    }

    function _setMeritParameters(MeritParameters memory p, uint48 effectiveFrom) internal {
        _checkBounds("meritWeight", p.meritWeight, 0, MAX_MERIT_WEIGHT);
        _checkBounds("meritHalfLife", p.halfLife, MIN_MERIT_HALF_LIFE, MAX_MERIT_HALF_LIFE);
        _checkBounds("meritCapBps", p.meritCapBps, 0, MAX_MERIT_CAP_BPS);
        _checkBounds("quorumBps", p.quorumBps, MIN_QUORUM_BPS, MAX_QUORUM_BPS);
        uint256 packed = uint256(p.meritWeight) | (uint256(p.meritCapBps) << 32) | (uint256(p.quorumBps) << 48)
            | (uint256(p.halfLife) << 64);
        _meritParams.push(effectiveFrom, uint208(packed));
        // The cache hint stays: a cached record depends only on history, which a parameter change does not rewrite.
        _latestMeritParams =
            ((_latestMeritParams >> HINT_SHIFT) << HINT_SHIFT) | (uint256(effectiveFrom) << PARAMS_FROM_SHIFT) | packed;
        emit MeritParametersSet(p.meritWeight, p.halfLife, p.meritCapBps, p.quorumBps, effectiveFrom);
    }

    function _checkBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert LineageGovernorParameterOutOfBounds(parameter, value, min, max);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

import {IRewardsDistributor} from "../interfaces/IRewardsDistributor.sol";
import {IMeritRoots} from "../interfaces/IMeritRoots.sol";
import {RewardsLeafLib} from "../libraries/RewardsLeafLib.sol";

/// @title RewardsDistributor
/// @notice Disputable cumulative payout roots, claims (single, batch, signed to another recipient), root history for
/// merit proofs at vote time, and a governed, announced sweep of long-unclaimed amounts.
/// @dev See {IRewardsDistributor}. Order in every function: checks -> update state -> emit -> transfers.
contract RewardsDistributor is IRewardsDistributor, EIP712, Nonces, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    /* CONSTANTS */

    /// @dev `keccak256("ClaimTo(address account,address recipient,uint256 nonce,uint256 deadline)")`.
    bytes32 public constant CLAIM_TO_TYPEHASH =
        keccak256("ClaimTo(address account,address recipient,uint256 nonce,uint256 deadline)");
    /// @notice Basis points in one whole.
    uint16 public constant BPS = 10_000;
    /// @notice Bounds of the challenge window.
    uint32 public constant MIN_CHALLENGE_WINDOW = 1 hours;
    uint32 public constant MAX_CHALLENGE_WINDOW = 14 days;
    /// @notice Bounds of the poster and dispute bonds.
    uint96 public constant MIN_BOND = 1e18;
    uint96 public constant MAX_BOND = 10_000_000e18;
    /// @notice Bounds of the winner's share of a slashed bond.
    uint16 public constant MIN_WINNER_SHARE_BPS = 1_000;
    uint16 public constant MAX_WINNER_SHARE_BPS = 10_000;
    /// @notice Bounds of the sweep notice.
    uint32 public constant MIN_SWEEP_NOTICE = 7 days;
    uint32 public constant MAX_SWEEP_NOTICE = 365 days;
    /// @notice Bounds of the minimum age of an epoch before what it left unclaimed can be swept.
    uint32 public constant MIN_SWEEP_AGE = 180 days;
    uint32 public constant MAX_SWEEP_AGE = 3650 days;

    /* IMMUTABLES */

    /// @notice The OPEN token paid out (and bonded).
    IERC20 public immutable token;
    /// @notice The governance address (the Timelock).
    address public immutable governance;
    /// @notice Receives slashed bonds' treasury parts and swept amounts.
    address public immutable treasury;

    /* STORAGE */

    /// @dev Parameters read together when posting and disputing.
    struct Params {
        uint32 challengeWindow;
        uint96 posterBond;
        uint96 disputeBond;
        uint16 winnerShareBps;
    }

    /// @dev Sweep parameters.
    struct SweepParams {
        uint32 sweepNotice;
        uint32 minSweepAge;
    }

    /// @dev Root bookkeeping, one slot.
    struct RootsState {
        uint64 count;
        uint64 finalIndex;
        uint32 lastEpoch;
        uint40 lastEpochEnd;
    }

    /// @dev The latest final root's merit fields and the time it became final, one slot: {finalRootAt}'s recent-first
    /// probe (with `_finalRoot`) answers any timepoint at or after that time without the history search.
    struct LatestFinal {
        uint48 finalizedAt;
        uint40 epochEnd;
        uint128 totalMerit;
    }

    /// @dev A poster's account, one slot.
    struct Poster {
        uint32 id;
        bool allowed;
        uint96 freeBond;
        uint96 lockedBond;
    }

    /// @dev An open dispute, one slot.
    struct Dispute {
        address disputer;
        uint96 bond;
    }

    bytes32 private _finalRoot;
    /// @dev Total funded (cumulative). Claims do not write any global counter: they check the token balance against
    /// the bonds held instead (cheaper than a read-modify-write of a claimed total), so rewards never pay out bonds.
    uint256 private _funded;
    RootsState private _state;
    Params private _params;
    SweepParams private _sweepParams;
    uint256 private _swept;
    uint256 private _bondsHeld;
    uint32 private _posterCount;
    /// @notice The dispute resolver (governance or a council it sets).
    address public resolver;

    mapping(uint256 index => RootRecord) private _roots;
    mapping(uint256 index => Dispute) private _disputes;
    mapping(address account => uint256) private _claimed;
    mapping(address poster => Poster) private _posters;
    mapping(uint32 posterId => address) private _posterAddress;
    mapping(uint256 index => uint256 executableAt) private _sweepAt;
    Checkpoints.Trace208 private _finalHistory;
    LatestFinal private _latestFinal;

    /* CONSTRUCTOR */

    /// @param token_ OPEN.
    /// @param governance_ The Timelock (also the first resolver).
    /// @param treasury_ The treasury.
    /// @param params_ Initial challenge window, bonds and winner share (within bounds).
    /// @param sweepNotice_ Initial sweep notice.
    /// @param minSweepAge_ Initial minimum age of an epoch before a sweep.
    constructor(
        IERC20 token_,
        address governance_,
        address treasury_,
        Params memory params_,
        uint32 sweepNotice_,
        uint32 minSweepAge_
    ) EIP712("RewardsDistributor", "1") {
        if (address(token_) == address(0)) revert RewardsZeroAddress("token");
        if (governance_ == address(0)) revert RewardsZeroAddress("governance");
        if (treasury_ == address(0)) revert RewardsZeroAddress("treasury");
        token = token_;
        governance = governance_;
        treasury = treasury_;
        resolver = governance_;
        emit ResolverSet(governance_);
        _setChallengeWindow(params_.challengeWindow);
        _setBonds(params_.posterBond, params_.disputeBond, params_.winnerShareBps);
        _setSweepParameters(sweepNotice_, minSweepAge_);
    }

    /* MODIFIERS */

    modifier onlyGovernance() {
        if (msg.sender != governance) revert RewardsNotGovernance(msg.sender);
        _;
    }

    /* FUNDING AND BONDS */

    /// @inheritdoc IRewardsDistributor
    function fundPool(uint256 modelId, uint256 amount) external nonReentrant {
        if (amount == 0) revert RewardsZeroAmount();
        uint256 funded = _funded + amount;
        _funded = funded;
        emit PoolFunded(modelId, msg.sender, amount, funded);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IRewardsDistributor
    function depositBond(uint256 amount) external nonReentrant {
        if (amount == 0) revert RewardsZeroAmount();
        Poster storage p = _posters[msg.sender];
        uint256 free = uint256(p.freeBond) + amount;
        if (free > type(uint96).max) revert RewardsValueTooLarge("bond", free);
        p.freeBond = uint96(free);
        _bondsHeld += amount;
        emit BondDeposited(msg.sender, amount, free);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IRewardsDistributor
    function withdrawBond(uint256 amount, address to) external nonReentrant {
        if (amount == 0) revert RewardsZeroAmount();
        if (to == address(0)) revert RewardsZeroAddress("to");
        Poster storage p = _posters[msg.sender];
        uint256 free = p.freeBond;
        if (amount > free) revert RewardsBondTooLow(msg.sender, free, amount);
        p.freeBond = uint96(free - amount);
        _bondsHeld -= amount;
        emit BondWithdrawn(msg.sender, to, amount, free - amount);
        token.safeTransfer(to, amount);
    }

    /* ROOTS */

    /// @inheritdoc IRewardsDistributor
    function postRoot(
        uint256 epoch,
        uint256 epochEnd,
        bytes32 root,
        uint256 total,
        uint256 totalMerit,
        string calldata inputsCid
    ) external whenNotPaused returns (uint256 index) {
        uint256 finalAt;
        uint256 bond;
        (index, finalAt, bond) = _recordRoot(epoch, epochEnd, root, total, totalMerit);
        emit RootPosted(index, epoch, msg.sender, root, total, totalMerit, epochEnd, finalAt, bond, inputsCid);
    }

    /// @inheritdoc IRewardsDistributor
    function finalize(uint256 index) external whenNotPaused {
        RootRecord storage r = _existingRoot(index);
        RootStatus status = _effectiveStatus(index, r.status);
        if (status != RootStatus.Pending) revert RewardsRootNotPending(index, status);
        if (block.timestamp < r.finalAt) revert RewardsWindowOpen(index, r.finalAt);
        _makeFinal(index, r);
    }

    /// @inheritdoc IRewardsDistributor
    function dispute(uint256 index, string calldata reason) external nonReentrant {
        RootRecord storage r = _existingRoot(index);
        RootStatus status = _effectiveStatus(index, r.status);
        if (status != RootStatus.Pending) revert RewardsRootNotPending(index, status);
        if (block.timestamp >= r.finalAt) revert RewardsWindowClosed(index, r.finalAt);
        uint96 bond = _params.disputeBond;
        r.status = RootStatus.Disputed;
        _disputes[index] = Dispute({disputer: msg.sender, bond: bond});
        _bondsHeld += bond;
        emit RootDisputed(index, msg.sender, bond, reason);
        token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IRewardsDistributor
    function resolveDispute(uint256 index, bool posterWins) external nonReentrant {
        if (msg.sender != resolver) revert RewardsNotResolver(msg.sender);
        RootRecord storage r = _existingRoot(index);
        if (r.status != RootStatus.Disputed) revert RewardsRootNotDisputed(index);
        Dispute memory d = _disputes[index];
        delete _disputes[index];
        address poster = _posterAddress[r.posterId];
        uint96 posterBond = r.bond;
        Poster storage p = _posters[poster];
        uint256 winnerShareBps = _params.winnerShareBps;

        if (posterWins) {
            // The disputer's bond is slashed: its share to the poster's free bond, the rest to the treasury.
            uint256 slashed = d.bond;
            uint256 toWinner = slashed * winnerShareBps / BPS;
            p.freeBond += uint96(toWinner);
            _bondsHeld -= slashed - toWinner;
            emit DisputeResolved(index, true, poster, slashed, toWinner, slashed - toWinner);
            if (index > _state.finalIndex) {
                // Upheld by the resolver: final now (releases the poster's bond).
                _makeFinal(index, r);
            } else {
                // A later root became final meanwhile: this one is superseded; its bond returns.
                r.status = RootStatus.Superseded;
                p.lockedBond -= posterBond;
                p.freeBond += posterBond;
                emit BondReleased(index, poster, posterBond);
            }
            _payTreasury(slashed - toWinner);
        } else {
            // The poster's bond is slashed: the disputer gets back its bond plus its share, the rest to the treasury.
            uint256 slashed = posterBond;
            uint256 toWinner = slashed * winnerShareBps / BPS;
            r.status = RootStatus.Rejected;
            p.lockedBond -= posterBond;
            _bondsHeld -= slashed + d.bond;
            emit DisputeResolved(index, false, d.disputer, slashed, toWinner, slashed - toWinner);
            _payTreasury(slashed - toWinner);
            token.safeTransfer(d.disputer, d.bond + toWinner);
        }
    }

    /// @inheritdoc IRewardsDistributor
    function releaseBond(uint256 index) external {
        RootRecord storage r = _existingRoot(index);
        RootStatus status = _effectiveStatus(index, r.status);
        // Only a pending root below the latest final one (reported Superseded) still holds a lockable bond.
        if (status != RootStatus.Superseded || r.status != RootStatus.Pending) {
            revert RewardsBondNotReleasable(index, status);
        }
        r.status = RootStatus.Superseded;
        address poster = _posterAddress[r.posterId];
        Poster storage p = _posters[poster];
        p.lockedBond -= r.bond;
        p.freeBond += r.bond;
        emit BondReleased(index, poster, r.bond);
    }

    /* CLAIMS */

    /// @inheritdoc IRewardsDistributor
    function claim(address account, uint256 cumulativeAmount, uint256 merit, bytes32[] calldata proof)
        external
        nonReentrant
        returns (uint256 amount)
    {
        amount = _claim(_finalRoot, account, cumulativeAmount, merit, proof);
        _checkAvailable(amount);
        emit Claimed(account, account, amount, cumulativeAmount);
        token.safeTransfer(account, amount);
    }

    /// @inheritdoc IRewardsDistributor
    function claimMany(Claim[] calldata claims) external nonReentrant returns (uint256 total) {
        uint256 n = claims.length;
        if (n == 0) revert RewardsEmptyBatch();
        bytes32 root = _finalRoot;
        uint256[] memory amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            Claim calldata c = claims[i];
            uint256 amount = _claim(root, c.account, c.cumulativeAmount, c.merit, c.proof);
            amounts[i] = amount;
            total += amount;
            emit Claimed(c.account, c.account, amount, c.cumulativeAmount);
        }
        _checkAvailable(total);
        for (uint256 i; i < n; ++i) {
            token.safeTransfer(claims[i].account, amounts[i]);
        }
    }

    /// @inheritdoc IRewardsDistributor
    function claimTo(
        address account,
        address recipient,
        uint256 cumulativeAmount,
        uint256 merit,
        bytes32[] calldata proof,
        uint256 deadline,
        bytes calldata signature
    ) external nonReentrant returns (uint256 amount) {
        if (recipient == address(0)) revert RewardsZeroRecipient();
        if (block.timestamp > deadline) revert RewardsExpiredSignature(deadline);
        bytes32 digest = claimToDigest(account, recipient, nonces(account), deadline);
        if (!SignatureChecker.isValidSignatureNow(account, digest, signature)) revert RewardsInvalidSignature(account);
        _useNonce(account);
        amount = _claim(_finalRoot, account, cumulativeAmount, merit, proof);
        _checkAvailable(amount);
        emit Claimed(account, recipient, amount, cumulativeAmount);
        token.safeTransfer(recipient, amount);
    }

    /* GOVERNANCE */

    /// @inheritdoc IRewardsDistributor
    function setPoster(address poster, bool allowed) external onlyGovernance {
        if (poster == address(0)) revert RewardsZeroAddress("poster");
        Poster storage p = _posters[poster];
        uint32 id = p.id;
        if (id == 0) {
            id = ++_posterCount;
            p.id = id;
            _posterAddress[id] = poster;
        }
        p.allowed = allowed;
        emit PosterSet(poster, id, allowed);
    }

    /// @inheritdoc IRewardsDistributor
    function setResolver(address resolver_) external onlyGovernance {
        if (resolver_ == address(0)) revert RewardsZeroAddress("resolver");
        resolver = resolver_;
        emit ResolverSet(resolver_);
    }

    /// @inheritdoc IRewardsDistributor
    function setChallengeWindow(uint32 challengeWindow) external onlyGovernance {
        _setChallengeWindow(challengeWindow);
    }

    /// @inheritdoc IRewardsDistributor
    function setBonds(uint96 posterBond, uint96 disputeBond, uint16 winnerShareBps) external onlyGovernance {
        _setBonds(posterBond, disputeBond, winnerShareBps);
    }

    /// @inheritdoc IRewardsDistributor
    function setSweepParameters(uint32 sweepNotice, uint32 minSweepAge) external onlyGovernance {
        _setSweepParameters(sweepNotice, minSweepAge);
    }

    /// @inheritdoc IRewardsDistributor
    function pause() external onlyGovernance {
        _pause();
    }

    /// @inheritdoc IRewardsDistributor
    function unpause() external onlyGovernance {
        _unpause();
    }

    /// @inheritdoc IRewardsDistributor
    function announceSweep(uint256 index) external onlyGovernance {
        RootRecord storage r = _existingRoot(index);
        uint256 availableAt = uint256(r.epochEnd) + _sweepParams.minSweepAge;
        if (r.status != RootStatus.Final || block.timestamp < availableAt) {
            revert RewardsSweepTooEarly(index, availableAt);
        }
        uint256 executableAt = block.timestamp + _sweepParams.sweepNotice;
        _sweepAt[index] = executableAt;
        emit SweepAnnounced(index, executableAt);
    }

    /// @inheritdoc IRewardsDistributor
    function sweep(
        uint256 index,
        address[] calldata accounts,
        uint256[] calldata cumulativeAmounts,
        uint256[] calldata merits,
        bytes32[][] calldata proofs
    ) external onlyGovernance nonReentrant returns (uint256 total) {
        uint256 n = accounts.length;
        if (n == 0) revert RewardsEmptyBatch();
        if (cumulativeAmounts.length != n || merits.length != n || proofs.length != n) revert RewardsLengthMismatch();
        uint256 executableAt = _sweepAt[index];
        if (executableAt == 0 || block.timestamp < executableAt) revert RewardsSweepNotAnnounced(index, executableAt);
        bytes32 root = _roots[index].root;
        for (uint256 i; i < n; ++i) {
            total += _sweepOne(index, root, accounts[i], cumulativeAmounts[i], merits[i], proofs[i]);
        }
        if (total != 0) {
            _checkAvailable(total);
            _swept += total;
            token.safeTransfer(treasury, total);
        }
    }

    /* VIEWS */

    /// @inheritdoc IMeritRoots
    function finalRootAt(uint256 timepoint) external view returns (bytes32 root, uint64 epochEnd, uint256 totalMerit) {
        if (timepoint > block.timestamp) revert RewardsFutureLookup(timepoint, block.timestamp);
        // Recent first: a timepoint at or after the latest finalization is answered from two slots.
        LatestFinal memory latest = _latestFinal;
        if (latest.finalizedAt != 0 && timepoint >= latest.finalizedAt) {
            return (_finalRoot, latest.epochEnd, latest.totalMerit);
        }
        uint256 index = _finalHistory.upperLookupRecent(uint48(timepoint));
        if (index == 0) return (bytes32(0), 0, 0);
        RootRecord storage r = _roots[index];
        return (r.root, r.epochEnd, r.totalMerit);
    }

    /// @inheritdoc IRewardsDistributor
    function rootRecord(uint256 index) external view returns (RootRecord memory) {
        return _roots[index];
    }

    /// @inheritdoc IRewardsDistributor
    function rootStatus(uint256 index) external view returns (RootStatus) {
        return _effectiveStatus(index, _roots[index].status);
    }

    /// @inheritdoc IRewardsDistributor
    function rootCounts() external view returns (uint256 count, uint256 finalIndex) {
        RootsState memory st = _state;
        return (st.count, st.finalIndex);
    }

    /// @inheritdoc IRewardsDistributor
    function finalRoot() external view returns (bytes32) {
        return _finalRoot;
    }

    /// @inheritdoc IRewardsDistributor
    function claimed(address account) external view returns (uint256) {
        return _claimed[account];
    }

    /// @inheritdoc IRewardsDistributor
    function nonces(address account) public view override(IRewardsDistributor, Nonces) returns (uint256) {
        return super.nonces(account);
    }

    /// @inheritdoc IRewardsDistributor
    function claimToDigest(address account, address recipient, uint256 nonce, uint256 deadline)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(CLAIM_TO_TYPEHASH, account, recipient, nonce, deadline)));
    }

    /// @inheritdoc IRewardsDistributor
    function leafHash(address account, uint256 cumulativeAmount, uint256 merit) external pure returns (bytes32) {
        return RewardsLeafLib.leafHash(account, cumulativeAmount, merit);
    }

    /// @inheritdoc IRewardsDistributor
    function totals() external view returns (uint256 funded, uint256 swept, uint256 bondsHeld, uint256 available) {
        uint256 balance = token.balanceOf(address(this));
        uint256 bonds = _bondsHeld;
        return (_funded, _swept, bonds, balance > bonds ? balance - bonds : 0);
    }

    /// @inheritdoc IRewardsDistributor
    function posterInfo(address poster)
        external
        view
        returns (uint32 posterId, bool allowed, uint256 freeBond, uint256 lockedBond)
    {
        Poster memory p = _posters[poster];
        return (p.id, p.allowed, p.freeBond, p.lockedBond);
    }

    /// @inheritdoc IRewardsDistributor
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
        )
    {
        Params memory p = _params;
        SweepParams memory s = _sweepParams;
        return (p.challengeWindow, p.posterBond, p.disputeBond, p.winnerShareBps, s.sweepNotice, s.minSweepAge);
    }

    /* INTERNAL */

    /// @dev Checks a root post and stores it, locking the poster's bond.
    function _recordRoot(uint256 epoch, uint256 epochEnd, bytes32 root, uint256 total, uint256 totalMerit)
        private
        returns (uint256 index, uint256 finalAt, uint256 bond)
    {
        Poster memory p = _posters[msg.sender];
        if (!p.allowed) revert RewardsNotPoster(msg.sender);
        Params memory params = _params;
        if (p.freeBond < params.posterBond) revert RewardsInsufficientBond(msg.sender, p.freeBond, params.posterBond);
        if (root == bytes32(0)) revert RewardsZeroRoot();
        uint256 funded = _funded;
        if (total > funded) revert RewardsTotalExceedsFunding(total, funded);
        if (totalMerit > type(uint128).max) revert RewardsValueTooLarge("totalMerit", totalMerit);
        RootsState memory st = _state;
        if (
            epoch > type(uint32).max || epoch < st.lastEpoch || epochEnd < st.lastEpochEnd || epochEnd == 0
                || epochEnd > block.timestamp
        ) revert RewardsBadEpoch(epoch, epochEnd, st.lastEpoch, st.lastEpochEnd);
        if (st.finalIndex != 0) {
            uint256 finalTotal = _roots[st.finalIndex].total;
            if (total < finalTotal) revert RewardsTotalDecreased(total, finalTotal);
        }

        index = uint256(st.count) + 1;
        finalAt = block.timestamp + params.challengeWindow;
        _posters[msg.sender] = Poster({
            id: p.id,
            allowed: true,
            freeBond: p.freeBond - params.posterBond,
            lockedBond: p.lockedBond + params.posterBond
        });
        _state = RootsState({
            count: uint64(index), finalIndex: st.finalIndex, lastEpoch: uint32(epoch), lastEpochEnd: uint40(epochEnd)
        });
        // `total <= funded < 2^128`; OPEN's fixed supply (1e27) is far below 2^96, checked for any other token.
        if (total > type(uint96).max) revert RewardsValueTooLarge("total", total);
        _roots[index] = RootRecord({
            root: root,
            total: uint96(total),
            totalMerit: uint128(totalMerit),
            epoch: uint32(epoch),
            posterId: p.id,
            epochEnd: uint40(epochEnd),
            finalAt: uint40(finalAt),
            status: RootStatus.Pending,
            bond: params.posterBond
        });
        bond = params.posterBond;
    }

    /// @dev Verifies a leaf against `root`, records the new cumulative amount and returns the amount owed.
    function _claim(bytes32 root, address account, uint256 cumulativeAmount, uint256 merit, bytes32[] calldata proof)
        private
        returns (uint256 amount)
    {
        if (root == bytes32(0)) revert RewardsNoFinalRoot();
        if (!MerkleProof.verifyCalldata(proof, root, RewardsLeafLib.leafHash(account, cumulativeAmount, merit))) {
            revert RewardsInvalidProof(account, cumulativeAmount, merit);
        }
        uint256 already = _claimed[account];
        if (cumulativeAmount <= already) revert RewardsNothingToClaim(account, cumulativeAmount, already);
        amount = cumulativeAmount - already;
        _claimed[account] = cumulativeAmount;
    }

    /// @dev Marks what `account` left unclaimed under root `index` as claimed and returns it (0 if nothing is left).
    function _sweepOne(
        uint256 index,
        bytes32 root,
        address account,
        uint256 cumulative,
        uint256 merit,
        bytes32[] calldata proof
    ) private returns (uint256 amount) {
        if (!MerkleProof.verifyCalldata(proof, root, RewardsLeafLib.leafHash(account, cumulative, merit))) {
            revert RewardsInvalidProof(account, cumulative, merit);
        }
        uint256 already = _claimed[account];
        // An account that already claimed this root's amount (or more, from a later root) has nothing left here.
        if (cumulative <= already) return 0;
        amount = cumulative - already;
        _claimed[account] = cumulative;
        emit UnclaimedSwept(index, account, amount, cumulative);
    }

    /// @dev Reverts unless paying `amount` leaves every bond covered: rewards are paid only from funded pools, even
    /// if a final root's leaves were to sum above its total.
    function _checkAvailable(uint256 amount) private view {
        uint256 balance = token.balanceOf(address(this));
        uint256 bonds = _bondsHeld;
        if (balance < bonds + amount) revert RewardsUnderfunded(balance > bonds ? balance - bonds : 0, amount);
    }

    /// @dev Makes root `index` (above the current final index) the final root and releases its poster's bond.
    function _makeFinal(uint256 index, RootRecord storage r) private {
        r.status = RootStatus.Final;
        _state.finalIndex = uint64(index);
        bytes32 root = r.root;
        _finalRoot = root;
        _finalHistory.push(uint48(block.timestamp), uint208(index));
        _latestFinal =
            LatestFinal({finalizedAt: uint48(block.timestamp), epochEnd: r.epochEnd, totalMerit: r.totalMerit});
        uint96 bond = r.bond;
        Poster storage p = _posters[_posterAddress[r.posterId]];
        p.lockedBond -= bond;
        p.freeBond += bond;
        emit RootFinalized(index, root, r.total, r.totalMerit, r.epochEnd);
    }

    function _effectiveStatus(uint256 index, RootStatus stored) private view returns (RootStatus) {
        if (stored == RootStatus.Pending && index < _state.finalIndex) return RootStatus.Superseded;
        return stored;
    }

    function _existingRoot(uint256 index) private view returns (RootRecord storage r) {
        r = _roots[index];
        if (r.status == RootStatus.None) revert RewardsUnknownRoot(index);
    }

    function _payTreasury(uint256 amount) private {
        if (amount != 0) token.safeTransfer(treasury, amount);
    }

    function _setChallengeWindow(uint32 challengeWindow) private {
        if (challengeWindow < MIN_CHALLENGE_WINDOW || challengeWindow > MAX_CHALLENGE_WINDOW) {
            revert RewardsParameterOutOfBounds(
                "challengeWindow", challengeWindow, MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW
            );
        }
        _params.challengeWindow = challengeWindow;
        emit ChallengeWindowSet(challengeWindow);
    }

    function _setBonds(uint96 posterBond, uint96 disputeBond, uint16 winnerShareBps) private {
        if (posterBond < MIN_BOND || posterBond > MAX_BOND) {
            revert RewardsParameterOutOfBounds("posterBond", posterBond, MIN_BOND, MAX_BOND);
        }
        if (disputeBond < MIN_BOND || disputeBond > MAX_BOND) {
            revert RewardsParameterOutOfBounds("disputeBond", disputeBond, MIN_BOND, MAX_BOND);
        }
        if (winnerShareBps < MIN_WINNER_SHARE_BPS || winnerShareBps > MAX_WINNER_SHARE_BPS) {
            revert RewardsParameterOutOfBounds(
                "winnerShareBps", winnerShareBps, MIN_WINNER_SHARE_BPS, MAX_WINNER_SHARE_BPS
            );
        }
        _params.posterBond = posterBond;
        _params.disputeBond = disputeBond;
        _params.winnerShareBps = winnerShareBps;
        emit BondsSet(posterBond, disputeBond, winnerShareBps);
    }

    function _setSweepParameters(uint32 sweepNotice, uint32 minSweepAge) private {
        if (sweepNotice < MIN_SWEEP_NOTICE || sweepNotice > MAX_SWEEP_NOTICE) {
            revert RewardsParameterOutOfBounds("sweepNotice", sweepNotice, MIN_SWEEP_NOTICE, MAX_SWEEP_NOTICE);
        }
        if (minSweepAge < MIN_SWEEP_AGE || minSweepAge > MAX_SWEEP_AGE) {
            revert RewardsParameterOutOfBounds("minSweepAge", minSweepAge, MIN_SWEEP_AGE, MAX_SWEEP_AGE);
        }
        _sweepParams = SweepParams({sweepNotice: sweepNotice, minSweepAge: minSweepAge});
        emit SweepParametersSet(sweepNotice, minSweepAge);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IPaymentChannels} from "../interfaces/IPaymentChannels.sol";
import {IReceiptDomain} from "../interfaces/IReceiptDomain.sol";
import {IModelTerms} from "../interfaces/IModelTerms.sol";
import {IOperatorStaking} from "../interfaces/IOperatorStaking.sol";
import {IRewardsDistributor} from "../interfaces/IRewardsDistributor.sol";
import {OperatorRole} from "../types/Roles.sol";
import {UsageReceipt, hashUsageReceipt} from "../types/UsageReceipt.sol";
import {PaymentsSplitLib} from "../libraries/PaymentsSplitLib.sol";

/// @title PaymentChannels
/// @notice Inference payment channels with cumulative EIP-712 vouchers and the protocol fee split on redemption.
/// @dev See {IPaymentChannels}. Order in every function: checks -> update state -> emit -> transfers.
contract PaymentChannels is IPaymentChannels, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /* CONSTANTS */

    /// @dev `keccak256("Voucher(uint256 channelId,uint256 cumulativeAmount)")`.
    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(uint256 channelId,uint256 cumulativeAmount)");
    /// @notice Basis points in one whole.
    uint256 public constant BPS = 10_000;
    /// @notice Upper bound of `treasuryBps`.
    uint16 public constant MAX_TREASURY_BPS = 2_000;
    /// @notice Upper bound of `nodeBps`.
    uint16 public constant MAX_NODE_BPS = 5_000;
    /// @notice Lower bound of the closing notice period (the node must have time to redeem).
    uint32 public constant MIN_NOTICE_PERIOD = 1 hours;
    /// @notice Upper bound of the closing notice period.
    uint32 public constant MAX_NOTICE_PERIOD = 30 days;
    /// @notice The highest epoch number an announcement may name (the RewardsDistributor stores epochs as uint32).
    uint256 public constant MAX_EPOCH = type(uint32).max;

    /* IMMUTABLES */

    /// @notice The OPEN token (any form with EIP-2612 permit).
    IERC20 public immutable token;
    /// @notice The ModelRegistry's revenue terms.
    IModelTerms public immutable models;
    /// @notice The StakingRegistry: node activity and the node's reward route.
    IOperatorStaking public immutable staking;
    /// @notice The RewardsDistributor that receives the data pools.
    IRewardsDistributor public immutable distributor;
    /// @notice The governance address (the Timelock): sets the bounded parameters.
    address public immutable governance;
    /// @notice Receives the treasury parts (credited) and the rounding dust.
    address public immutable treasury;

    /* STORAGE */

    /// @dev Split parameters and notice period, packed in one slot (read once per redemption).
    struct Params {
        uint16 treasuryBps;
        uint16 nodeBps;
        uint32 noticePeriod;
    }

    Params private _params;
    uint256 private _channelCount;
    mapping(uint256 channelId => Channel) private _channels;
    /// @dev The three credit ledgers store `amount + 1` once a key was first credited, and `1` after a payout: a slot
    /// never returns to zero, so a redemption after a withdrawal or flush updates a non-zero slot (2,900 gas) instead
    /// of creating one (20,000). Read through {_amountOf}.
    mapping(address account => uint256) private _credits;
    mapping(uint256 modelId => uint256) private _pendingPool;
    mapping(address node => uint256) private _nodeRewards;
    mapping(address node => mapping(uint256 epoch => bytes32 digest)) private _announcements;

    /* CONSTRUCTOR */

    /// @param token_ OPEN (must support EIP-2612 permit for the `*WithPermit` functions).
    /// @param models_ The ModelRegistry (IModelTerms).
    /// @param staking_ The StakingRegistry (IOperatorStaking); must list this contract as a reward source.
    /// @param distributor_ The RewardsDistributor receiving the data pools.
    /// @param governance_ The Timelock.
    /// @param treasury_ The treasury.
    /// @param treasuryBps_ Initial treasury share (bps of each redemption).
    /// @param nodeBps_ Initial node share (bps of each redemption).
    /// @param noticePeriod_ Initial closing notice period (seconds).
    constructor(
        IERC20 token_,
        IModelTerms models_,
        IOperatorStaking staking_,
        IRewardsDistributor distributor_,
        address governance_,
        address treasury_,
        uint16 treasuryBps_,
        uint16 nodeBps_,
        uint32 noticePeriod_
    ) EIP712("PaymentChannels", "1") {
        if (address(token_) == address(0)) revert PaymentChannelsZeroAddress("token");
        if (address(models_) == address(0)) revert PaymentChannelsZeroAddress("models");
        if (address(staking_) == address(0)) revert PaymentChannelsZeroAddress("staking");
        if (address(distributor_) == address(0)) revert PaymentChannelsZeroAddress("distributor");
        if (governance_ == address(0)) revert PaymentChannelsZeroAddress("governance");
        if (treasury_ == address(0)) revert PaymentChannelsZeroAddress("treasury");
        token = token_;
        models = models_;
        staking = staking_;
        distributor = distributor_;
        governance = governance_;
        treasury = treasury_;
        _setSplit(treasuryBps_, nodeBps_);
        _setNoticePeriod(noticePeriod_);
        // The staking registry and the distributor pull what they are paid: one standing approval each.
        token_.forceApprove(address(staking_), type(uint256).max);
        token_.forceApprove(address(distributor_), type(uint256).max);
    }

    /* MODIFIERS */

    modifier onlyGovernance() {
        if (msg.sender != governance) revert PaymentChannelsNotGovernance(msg.sender);
        _;
    }

    /* CHANNELS */

    /// @inheritdoc IPaymentChannels
    function open(address node, uint256 modelId, address signer, uint256 amount)
        external
        nonReentrant
        returns (uint256 channelId)
    {
        channelId = _open(node, modelId, signer, amount);
    }

    /// @inheritdoc IPaymentChannels
    function openWithPermit(
        address node,
        uint256 modelId,
        address signer,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 channelId) {
        _permit(amount, deadline, v, r, s);
        channelId = _open(node, modelId, signer, amount);
    }

    /// @inheritdoc IPaymentChannels
    function topUp(uint256 channelId, uint256 amount) external nonReentrant {
        _topUp(channelId, amount);
    }

    /// @inheritdoc IPaymentChannels
    function topUpWithPermit(uint256 channelId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        _permit(amount, deadline, v, r, s);
        _topUp(channelId, amount);
    }

    /// @inheritdoc IPaymentChannels
    function requestClose(uint256 channelId) external {
        Channel storage c = _existing(channelId);
        if (c.payer != msg.sender) revert PaymentChannelsNotPayer(channelId, msg.sender);
        if (c.settled) revert PaymentChannelsChannelSettled(channelId);
        if (c.closesAt != 0) revert PaymentChannelsChannelClosing(channelId, c.closesAt);
        uint256 closesAt = block.timestamp + _params.noticePeriod;
        c.closesAt = uint40(closesAt);
        emit ChannelCloseRequested(channelId, closesAt);
    }

    /// @inheritdoc IPaymentChannels
    function withdraw(uint256 channelId) external nonReentrant returns (uint256 refund) {
        Channel storage c = _existing(channelId);
        if (c.payer != msg.sender) revert PaymentChannelsNotPayer(channelId, msg.sender);
        if (c.settled) revert PaymentChannelsChannelSettled(channelId);
        uint256 closesAt = c.closesAt;
        if (closesAt == 0) revert PaymentChannelsCloseNotRequested(channelId);
        if (block.timestamp < closesAt) {
            revert PaymentChannelsNoticeNotElapsed(channelId, closesAt, block.timestamp);
        }
        refund = uint256(c.deposit) - c.redeemed;
        c.settled = true;
        // The channel now holds exactly what was redeemed: no later voucher can pay anything.
        c.deposit = c.redeemed;
        emit ChannelSettled(channelId, msg.sender, refund);
        if (refund != 0) token.safeTransfer(msg.sender, refund);
    }

    /* REDEMPTION */

    /// @inheritdoc IPaymentChannels
    function redeem(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 amount)
    {
        return _redeem(channelId, cumulativeAmount, signature);
    }

    /// @inheritdoc IPaymentChannels
    function redeemMany(Redemption[] calldata redemptions) external nonReentrant returns (uint256 total) {
        uint256 n = redemptions.length;
        if (n == 0) revert PaymentChannelsEmptyBatch();
        for (uint256 i; i < n; ++i) {
            Redemption calldata rd = redemptions[i];
            total += _redeem(rd.channelId, rd.cumulativeAmount, rd.signature);
        }
    }

    /// @inheritdoc IPaymentChannels
    function withdrawCredit(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert PaymentChannelsZeroAddress("to");
        amount = _amountOf(_credits[msg.sender]);
        if (amount == 0) revert PaymentChannelsNoCredit(msg.sender);
        _credits[msg.sender] = 1;
        emit CreditWithdrawn(msg.sender, to, amount);
        token.safeTransfer(to, amount);
    }

    /// @inheritdoc IPaymentChannels
    function flushNodeReward(address node) external nonReentrant returns (uint256 amount) {
        amount = _amountOf(_nodeRewards[node]);
        if (amount == 0) revert PaymentChannelsNothingToFlush(uint256(uint160(node)));
        _nodeRewards[node] = 1;
        emit NodeRewardFlushed(node, amount);
        staking.notifyReward(node, amount);
    }

    /// @inheritdoc IPaymentChannels
    function flushPool(uint256 modelId) external nonReentrant returns (uint256 amount) {
        amount = _amountOf(_pendingPool[modelId]);
        if (amount == 0) revert PaymentChannelsNothingToFlush(modelId);
        _pendingPool[modelId] = 1;
        emit PoolFlushed(modelId, amount);
        distributor.fundPool(modelId, amount);
    }

    /* RECEIPTS */

    /// @inheritdoc IPaymentChannels
    function announceReceipts(uint256 epoch, bytes32 digest) external {
        if (epoch == 0 || epoch > MAX_EPOCH) revert PaymentChannelsBadEpoch(epoch);
        if (digest == bytes32(0)) revert PaymentChannelsZeroDigest(epoch);
        bytes32 existing = _announcements[msg.sender][epoch];
        if (existing != bytes32(0)) revert PaymentChannelsAlreadyAnnounced(msg.sender, epoch, existing);
        _announcements[msg.sender][epoch] = digest;
        emit ReceiptsAnnounced(msg.sender, epoch, digest);
    }

    /* GOVERNANCE */

    /// @inheritdoc IPaymentChannels
    function setSplit(uint16 treasuryBps, uint16 nodeBps) external onlyGovernance {
        _setSplit(treasuryBps, nodeBps);
    }

    /// @inheritdoc IPaymentChannels
    function setNoticePeriod(uint32 noticePeriod) external onlyGovernance {
        _setNoticePeriod(noticePeriod);
    }

    /* VIEWS */

    /// @inheritdoc IReceiptDomain
    function receiptDigest(UsageReceipt calldata receipt) external view returns (bytes32) {
        return _hashTypedDataV4(hashUsageReceipt(receipt));
    }

    /// @inheritdoc IReceiptDomain
    function channelNode(uint256 channelId) external view returns (address) {
        return _channels[channelId].node;
    }

    /// @inheritdoc IPaymentChannels
    function channel(uint256 channelId) external view returns (Channel memory) {
        return _channels[channelId];
    }

    /// @inheritdoc IPaymentChannels
    function voucherDigest(uint256 channelId, uint256 cumulativeAmount) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount)));
    }

    /// @inheritdoc IPaymentChannels
    function previewSplit(uint256 amount, uint256 ownerBps) external view returns (Split memory) {
        if (ownerBps > BPS) revert PaymentChannelsParameterOutOfBounds("ownerBps", ownerBps, 0, BPS);
        Params memory p = _params;
        return PaymentsSplitLib.split(amount, p.treasuryBps, p.nodeBps, ownerBps);
    }

    /// @inheritdoc IPaymentChannels
    function creditOf(address account) external view returns (uint256) {
        return _amountOf(_credits[account]);
    }

    /// @inheritdoc IPaymentChannels
    function pendingPool(uint256 modelId) external view returns (uint256) {
        return _amountOf(_pendingPool[modelId]);
    }

    /// @inheritdoc IPaymentChannels
    function pendingNodeReward(address node) external view returns (uint256) {
        return _amountOf(_nodeRewards[node]);
    }

    /// @inheritdoc IPaymentChannels
    function channelCount() external view returns (uint256) {
        return _channelCount;
    }

    /// @inheritdoc IPaymentChannels
    function announcement(address node, uint256 epoch) external view returns (bytes32) {
        return _announcements[node][epoch];
    }

    /// @inheritdoc IPaymentChannels
    function parameters() external view returns (uint16 treasuryBps, uint16 nodeBps, uint32 noticePeriod) {
        Params memory p = _params;
        return (p.treasuryBps, p.nodeBps, p.noticePeriod);
    }

    /* INTERNAL */

    function _open(address node, uint256 modelId, address signer, uint256 amount) private returns (uint256 id) {
        if (node == address(0)) revert PaymentChannelsZeroAddress("node");
        if (amount == 0) revert PaymentChannelsZeroAmount();
        if (amount > type(uint128).max) revert PaymentChannelsDepositTooLarge(amount);
        if (modelId > type(uint96).max) revert PaymentChannelsModelIdTooLarge(modelId);
        if (!staking.isActiveOperator(node, OperatorRole.Node)) revert PaymentChannelsNodeNotActive(node);
        // Reverts with the registry's own error for an unknown model.
        (, uint16 ownerBps,) = models.revenueTerms(modelId);
        if (ownerBps > BPS) revert PaymentChannelsBadOwnerBps(modelId, ownerBps);
        if (signer == address(0)) signer = msg.sender;

        id = ++_channelCount;
        _channels[id] = Channel({
            node: node,
            modelId: uint96(modelId),
            signer: signer,
            closesAt: 0,
            settled: false,
            deposit: uint128(amount),
            redeemed: 0,
            payer: msg.sender
        });
        emit ChannelOpened(id, msg.sender, node, modelId, signer, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _topUp(uint256 channelId, uint256 amount) private {
        if (amount == 0) revert PaymentChannelsZeroAmount();
        Channel storage c = _existing(channelId);
        if (c.settled) revert PaymentChannelsChannelSettled(channelId);
        if (c.closesAt != 0) revert PaymentChannelsChannelClosing(channelId, c.closesAt);
        uint256 deposit = uint256(c.deposit) + amount;
        if (deposit > type(uint128).max) revert PaymentChannelsDepositTooLarge(deposit);
        c.deposit = uint128(deposit);
        emit ChannelToppedUp(channelId, amount, deposit);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Checks a voucher, records it, and credits its four parts; returns the newly paid amount.
    function _redeem(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature)
        private
        returns (uint256 amount)
    {
        (address node, uint256 modelId, uint256 paid, uint256 redeemedTotal) =
            _consumeVoucher(channelId, cumulativeAmount, signature);
        _credit(channelId, node, modelId, paid, redeemedTotal);
        return paid;
    }

    /// @dev Checks a voucher against the channel and records the new redeemed total.
    function _consumeVoucher(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature)
        private
        returns (address node, uint256 modelId, uint256 amount, uint256 redeemedTotal)
    {
        Channel storage c = _channels[channelId];
        node = c.node;
        if (node == address(0)) revert PaymentChannelsUnknownChannel(channelId);
        if (c.settled) revert PaymentChannelsChannelSettled(channelId);
        uint256 deposit = c.deposit;
        uint256 redeemed = c.redeemed;
        redeemedTotal = cumulativeAmount < deposit ? cumulativeAmount : deposit;
        if (redeemedTotal <= redeemed) revert PaymentChannelsNothingToRedeem(channelId, cumulativeAmount, redeemed);
        if (!SignatureChecker.isValidSignatureNow(c.signer, voucherDigest(channelId, cumulativeAmount), signature)) {
            revert PaymentChannelsInvalidSignature(channelId);
        }
        amount = redeemedTotal - redeemed;
        modelId = c.modelId;
        c.redeemed = uint128(redeemedTotal);
    }

    /// @dev Splits `amount` and credits the four parts (pull): treasury and owner credits, the node's pending reward
    /// (flushed to the staking registry), the model's pending data pool (flushed to the RewardsDistributor).
    function _credit(uint256 channelId, address node, uint256 modelId, uint256 amount, uint256 redeemedTotal) private {
        (address owner, uint16 ownerBps,) = models.revenueTerms(modelId);
        if (ownerBps > BPS) revert PaymentChannelsBadOwnerBps(modelId, ownerBps);
        Params memory p = _params;
        Split memory s = PaymentsSplitLib.split(amount, p.treasuryBps, p.nodeBps, ownerBps);
        // A model without a holder (burnt NFT) pays its owner part to the treasury.
        if (owner == address(0)) owner = treasury;
        if (s.ownerPart != 0) _credits[owner] = _touched(_credits[owner]) + s.ownerPart;
        if (s.treasuryPart != 0) _credits[treasury] = _touched(_credits[treasury]) + s.treasuryPart;
        if (s.poolPart != 0) _pendingPool[modelId] = _touched(_pendingPool[modelId]) + s.poolPart;
        if (s.nodePart != 0) _nodeRewards[node] = _touched(_nodeRewards[node]) + s.nodePart;
        emit VoucherRedeemed(channelId, node, modelId, amount, redeemedTotal, owner, s);
    }

    /// @dev The amount a credit slot holds (stored as amount + 1 once touched).
    function _amountOf(uint256 stored) private pure returns (uint256) {
        return stored == 0 ? 0 : stored - 1;
    }

    /// @dev A credit slot's stored value, seeded with the +1 offset on first use.
    function _touched(uint256 stored) private pure returns (uint256) {
        return stored == 0 ? 1 : stored;
    }

    function _permit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        // A front-run permit makes this call fail; the allowance it set is then used by the transfer.
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
    }

    function _existing(uint256 channelId) private view returns (Channel storage c) {
        c = _channels[channelId];
        if (c.node == address(0)) revert PaymentChannelsUnknownChannel(channelId);
    }

    function _setSplit(uint16 treasuryBps, uint16 nodeBps) private {
        if (treasuryBps > MAX_TREASURY_BPS) {
            revert PaymentChannelsParameterOutOfBounds("treasuryBps", treasuryBps, 0, MAX_TREASURY_BPS);
        }
        if (nodeBps > MAX_NODE_BPS) revert PaymentChannelsParameterOutOfBounds("nodeBps", nodeBps, 0, MAX_NODE_BPS);
        _params.treasuryBps = treasuryBps;
        _params.nodeBps = nodeBps;
        emit SplitSet(treasuryBps, nodeBps);
    }

    function _setNoticePeriod(uint32 noticePeriod) private {
        if (noticePeriod < MIN_NOTICE_PERIOD || noticePeriod > MAX_NOTICE_PERIOD) {
            revert PaymentChannelsParameterOutOfBounds(
                "noticePeriod", noticePeriod, MIN_NOTICE_PERIOD, MAX_NOTICE_PERIOD
            );
        }
        _params.noticePeriod = noticePeriod;
        emit NoticePeriodSet(noticePeriod);
    }
}

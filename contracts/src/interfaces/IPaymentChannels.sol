// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IReceiptDomain} from "./IReceiptDomain.sol";

/// @title IPaymentChannels
/// @notice Inference payment channels (issue 4): a payer deposits OPEN into a channel to one serving node for one
/// model and pays off-chain with EIP-712 vouchers carrying a cumulative amount; the node (or anyone) redeems the
/// latest voucher at any time, and the redeemed amount splits at once (PROTOCOL.md, "Money routes"):
/// `treasuryBps` to the treasury, `nodeBps` to the node through the staking registry, then of the remainder the
/// model NFT's `ownerBps` to its holder and the rest to the model's data contributors' pool in the
/// RewardsDistributor. Every part is floored, the dust goes to the treasury, parts sum exactly to the amount.
/// Every part is credited (pull, no transfer per redemption): the treasury and owner parts as withdrawable credits, the
/// node part as the node's pending reward that anyone flushes through `IOperatorStaking.notifyReward` (commission to
/// the operator, the rest to its delegators), the pool part as the model's pending pool that anyone flushes to the
/// RewardsDistributor.
/// @dev EIP-712 domain: name "PaymentChannels", version "1". Voucher type:
/// `Voucher(uint256 channelId,uint256 cumulativeAmount)`, signed by the channel's signer (the payer or a key it
/// named; ERC-1271 wallets supported). Usage receipts are signed by nodes in the same domain (IReceiptDomain).
interface IPaymentChannels is IReceiptDomain {
    /* TYPES */

    /// @notice A channel's stored state.
    /// @param node The serving node (an active Node operator when the channel was opened).
    /// @param modelId The model NFT served.
    /// @param signer The key whose vouchers pay from this channel.
    /// @param closesAt Zero while open; otherwise the time from which the payer may withdraw the unspent deposit.
    /// @param settled True once the payer withdrew: the channel is closed for good.
    /// @param deposit Total OPEN deposited.
    /// @param redeemed Total OPEN redeemed (the highest voucher amount paid, capped at the deposit).
    /// @param payer The account that opened the channel and receives the unspent deposit.
    struct Channel {
        address node;
        uint96 modelId;
        address signer;
        uint40 closesAt;
        bool settled;
        uint128 deposit;
        uint128 redeemed;
        address payer;
    }

    /// @notice One redemption in a batch.
    struct Redemption {
        uint256 channelId;
        uint256 cumulativeAmount;
        bytes signature;
    }

    /// @notice The parts of one redeemed amount (they sum exactly to the amount).
    struct Split {
        uint256 treasuryPart;
        uint256 nodePart;
        uint256 ownerPart;
        uint256 poolPart;
    }

    /* ERRORS */

    /// @notice A zero address was given where an address is required (`what` names the argument).
    error PaymentChannelsZeroAddress(string what);
    /// @notice A zero amount was given.
    error PaymentChannelsZeroAmount();
    /// @notice The caller is not the governance address.
    error PaymentChannelsNotGovernance(address caller);
    /// @notice The caller is not the channel's payer.
    error PaymentChannelsNotPayer(uint256 channelId, address caller);
    /// @notice No channel has this id.
    error PaymentChannelsUnknownChannel(uint256 channelId);
    /// @notice The node is not an active Node operator in the staking registry.
    error PaymentChannelsNodeNotActive(address node);
    /// @notice The model id does not fit the channel record (ids above 2^96-1 are refused).
    error PaymentChannelsModelIdTooLarge(uint256 modelId);
    /// @notice The model's terms give an owner share above 10,000 bps.
    error PaymentChannelsBadOwnerBps(uint256 modelId, uint256 ownerBps);
    /// @notice The channel was already settled (the payer withdrew).
    error PaymentChannelsChannelSettled(uint256 channelId);
    /// @notice The channel is in its closing notice period (no top-up).
    error PaymentChannelsChannelClosing(uint256 channelId, uint256 closesAt);
    /// @notice The payer has not requested to close this channel.
    error PaymentChannelsCloseNotRequested(uint256 channelId);
    /// @notice The notice period has not elapsed yet.
    error PaymentChannelsNoticeNotElapsed(uint256 channelId, uint256 closesAt, uint256 nowTime);
    /// @notice The deposit would exceed what a channel can hold (2^128-1).
    error PaymentChannelsDepositTooLarge(uint256 deposit);
    /// @notice The voucher pays nothing new: its amount (capped at the deposit) is not above what was redeemed.
    error PaymentChannelsNothingToRedeem(uint256 channelId, uint256 cumulativeAmount, uint256 redeemed);
    /// @notice The voucher's signature is not the channel signer's.
    error PaymentChannelsInvalidSignature(uint256 channelId);
    /// @notice The account has no credited balance to withdraw.
    error PaymentChannelsNoCredit(address account);
    /// @notice Nothing is pending for this model's data pool (or this node's reward, given as uint160).
    error PaymentChannelsNothingToFlush(uint256 key);
    /// @notice A governed parameter is outside its hard bounds.
    error PaymentChannelsParameterOutOfBounds(string name, uint256 value, uint256 min, uint256 max);
    /// @notice An empty batch was given.
    error PaymentChannelsEmptyBatch();
    /// @notice The epoch is outside `[1, MAX_EPOCH]` (epochs are numbered from 1, as the RewardsDistributor's).
    error PaymentChannelsBadEpoch(uint256 epoch);
    /// @notice A zero digest was announced.
    error PaymentChannelsZeroDigest(uint256 epoch);
    /// @notice `node` already announced its receipts of `epoch` (as `digest`): an announcement is final.
    error PaymentChannelsAlreadyAnnounced(address node, uint256 epoch, bytes32 digest);

    /* EVENTS */

    /// @notice A channel was opened with `deposit` OPEN.
    event ChannelOpened(
        uint256 indexed channelId,
        address indexed payer,
        address indexed node,
        uint256 modelId,
        address signer,
        uint256 deposit
    );
    /// @notice The payer added `amount`; the channel now holds `deposit` in total.
    event ChannelToppedUp(uint256 indexed channelId, uint256 amount, uint256 deposit);
    /// @notice The payer asked to close; it may withdraw the unspent deposit from `closesAt`.
    event ChannelCloseRequested(uint256 indexed channelId, uint256 closesAt);
    /// @notice The payer withdrew `refund`; the channel is settled.
    event ChannelSettled(uint256 indexed channelId, address indexed payer, uint256 refund);
    /// @notice A voucher was redeemed: `amount` newly paid (cumulative `redeemed`), split as `split` (the owner
    /// part credited to `owner`, the node part pending for the staking registry, the pool part pending for the
    /// RewardsDistributor, the treasury part with the dust credited to the treasury).
    event VoucherRedeemed(
        uint256 indexed channelId,
        address indexed node,
        uint256 indexed modelId,
        uint256 amount,
        uint256 redeemed,
        address owner,
        Split split
    );
    /// @notice `account` withdrew `amount` of its credited balance to `to`.
    event CreditWithdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice `amount` of pending reward was handed to the staking registry for `node`.
    event NodeRewardFlushed(address indexed node, uint256 amount);
    /// @notice `amount` of model `modelId`'s data pool was sent to the RewardsDistributor.
    event PoolFlushed(uint256 indexed modelId, uint256 amount);
    /// @notice `node` announced its receipts of `epoch`: `digest` is the sha2-256 content digest (CIDv1 `raw`
    /// off-chain) of the receipts index it published to the content store (PROTOCOL.md, "Serving", "Announcement").
    event ReceiptsAnnounced(address indexed node, uint256 indexed epoch, bytes32 digest);
    /// @notice Governance set the split parameters.
    event SplitSet(uint256 treasuryBps, uint256 nodeBps);
    /// @notice Governance set the notice period.
    event NoticePeriodSet(uint256 noticePeriod);

    /* CHANNELS */

    /// @notice Opens a channel to `node` for model `modelId`, pulling `amount` OPEN from the caller (prior approval).
    /// @param node An active Node operator of the staking registry.
    /// @param modelId An existing model NFT (checked through the ModelRegistry's revenue terms).
    /// @param signer The key whose vouchers pay from the channel (zero means the caller).
    /// @param amount The initial deposit (non-zero).
    /// @return channelId The new channel's id (global, starting at 1).
    function open(address node, uint256 modelId, address signer, uint256 amount) external returns (uint256 channelId);

    /// @notice {open} with an EIP-2612 permit for `amount` in the same transaction.
    /// @dev A permit that fails (e.g. front-run) is ignored; the transfer then needs an existing allowance.
    function openWithPermit(
        address node,
        uint256 modelId,
        address signer,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 channelId);

    /// @notice Adds `amount` OPEN to an open channel (anyone may fund it; it still refunds to the payer).
    function topUp(uint256 channelId, uint256 amount) external;

    /// @notice {topUp} with an EIP-2612 permit for `amount` in the same transaction.
    function topUpWithPermit(uint256 channelId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;

    /// @notice Starts the closing notice: from `now + noticePeriod` the payer may withdraw the unspent deposit.
    /// The node can still redeem vouchers until then (and until the payer withdraws). Only the payer.
    function requestClose(uint256 channelId) external;

    /// @notice After the notice period, sends the unspent deposit to the payer and settles the channel for good.
    /// Only the payer. Vouchers of a settled channel are refused.
    /// @return refund The amount sent back.
    function withdraw(uint256 channelId) external returns (uint256 refund);

    /* REDEMPTION */

    /// @notice Redeems a voucher: pays `min(cumulativeAmount, deposit) - redeemed` and splits it. Anyone may call.
    /// @param channelId The channel.
    /// @param cumulativeAmount The voucher's cumulative amount.
    /// @param signature The channel signer's EIP-712 signature of `Voucher(channelId, cumulativeAmount)`.
    /// @return amount The newly paid amount.
    function redeem(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature)
        external
        returns (uint256 amount);

    /// @notice Redeems several vouchers (any channels) in one call; reverts as a whole if one fails.
    function redeemMany(Redemption[] calldata redemptions) external returns (uint256 total);

    /// @notice Sends the caller's credited balance (treasury, model-owner parts) to `to`.
    function withdrawCredit(address to) external returns (uint256 amount);

    /// @notice Hands `node`'s pending reward to the staking registry (`notifyReward`: commission to the operator, the
    /// rest to its delegators). Anyone may call.
    function flushNodeReward(address node) external returns (uint256 amount);

    /// @notice Sends model `modelId`'s pending data-pool amount to the RewardsDistributor (anyone may call).
    function flushPool(uint256 modelId) external returns (uint256 amount);

    /* RECEIPTS */

    /// @notice Announces the caller's usage receipts of `epoch`: the caller is the node named in the event, so a node
    /// announces only for itself (anyone may call; keepers read the announcements of the nodes the epoch's channels
    /// name, so a stranger's announcement carries no receipt of anyone else's channel). Settlement uses exactly the
    /// announced receipts; one announcement per (node, epoch), final.
    /// @dev The contract does not know the epoch clock (`policy.genesis + n x policy.length` lives in the settlement
    /// policy document): it records any epoch in `[1, MAX_EPOCH]`; keepers ignore an announcement made after the
    /// epoch's end + the policy's grace period (its block time is on-chain).
    /// @param epoch The epoch the receipts belong to (numbered from 1).
    /// @param digest The sha2-256 digest of the published receipts index (non-zero).
    function announceReceipts(uint256 epoch, bytes32 digest) external;

    /* GOVERNANCE */

    /// @notice Sets the treasury and node shares (bps of each redeemed amount), within hard bounds. Governance only.
    function setSplit(uint16 treasuryBps, uint16 nodeBps) external;

    /// @notice Sets the closing notice period, within hard bounds. Governance only. Applies to later requests.
    function setNoticePeriod(uint32 noticePeriod) external;

    /* VIEWS */

    /// @notice A channel's state (all zero for an unknown id).
    function channel(uint256 channelId) external view returns (Channel memory);

    /// @notice The EIP-712 digest a channel signer signs for `Voucher(channelId, cumulativeAmount)`.
    function voucherDigest(uint256 channelId, uint256 cumulativeAmount) external view returns (bytes32);

    /// @notice How `amount` redeemed for a model whose owner share is `ownerBps` splits under current parameters.
    function previewSplit(uint256 amount, uint256 ownerBps) external view returns (Split memory);

    /// @notice The credited, withdrawable balance of `account`.
    function creditOf(address account) external view returns (uint256);

    /// @notice The data-pool amount of model `modelId` credited but not yet sent to the RewardsDistributor.
    function pendingPool(uint256 modelId) external view returns (uint256);

    /// @notice The node reward credited to `node` but not yet handed to the staking registry.
    function pendingNodeReward(address node) external view returns (uint256);

    /// @notice The number of channels opened so far (the last channel id).
    function channelCount() external view returns (uint256);

    /// @notice The digest `node` announced for `epoch` (zero if none).
    function announcement(address node, uint256 epoch) external view returns (bytes32);

    /// @notice Current split parameters and notice period.
    function parameters() external view returns (uint16 treasuryBps, uint16 nodeBps, uint32 noticePeriod);
}

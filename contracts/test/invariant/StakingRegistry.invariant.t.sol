// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {StakingGovBase, MockReceiptDomain, sampleReceipt} from "../unit/StakingGovFixtures.sol";
import {StakingRegistry} from "../../src/staking/StakingRegistry.sol";
import {IStakingRegistry} from "../../src/interfaces/IStakingRegistry.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {OperatorRole} from "../../src/types/Roles.sol";
import {UsageReceipt} from "../../src/types/UsageReceipt.sol";

/// @notice Drives the registry with delegations, unbonding, withdrawals, rewards, slashes, the council's pause
/// (pause, unpause by the council or governance, governance re-arming the council), objective self-reports of the
/// first operator through an accomplice, and time (long and short steps). Never reverts.
contract StakingHandler is Test {
    StakingRegistry internal staking;
    OpenToken internal token;
    address internal slasher;
    address internal council;
    address internal rewardSource;
    address[] public actors;
    address[] public operators;

    struct PendingWithdrawal {
        uint256 id;
        address delegator;
        uint48 readyAt;
    }

    PendingWithdrawal[] internal withdrawals;
    uint256[] internal slashIds;

    // Ghosts.
    bool public priceFellOutsideSlash;
    bool public withdrewEarly;
    uint256 public withdrawalsDone;
    uint256 public slashesExecuted;
    /// @dev A paused entry point (delegate, requestUnbond, withdraw, claimRewards) succeeded during a pause.
    bool public pausedCallSucceeded;
    /// @dev A pause ran past its bound, or pause/unpause moved OPEN.
    bool public pauseOutOfBounds;
    uint256 public pauses;
    uint256 public rearms;
    uint256 public slashesExecutedWhilePaused;
    uint256 internal lastPauseAt;
    /// @dev A reporter got more than the reported node's own loss.
    bool public reporterOutearnedNode;
    uint256 public objectiveSlashes;

    /// @dev Every slash that applied bps: operator, time, applied bps (from the `Slashed` event).
    struct SlashRecord {
        address operator;
        uint256 time;
        uint256 bps;
    }

    SlashRecord[] internal slashLog;
    /// @dev The applied bps of an operator's slashes within one window of `slashPeriod` summed above the cap. Checked
    /// at each slash over the window ending with it, which covers every window: a window's slashes all lie within the
    /// `slashPeriod` that ends with its last one.
    bool public windowAboveCap;

    MockReceiptDomain internal domain;
    uint256 internal nodeKey;
    address internal accomplice = makeAddr("accomplice");
    uint256 internal nextChannel;

    constructor(
        StakingRegistry staking_,
        OpenToken token_,
        address slasher_,
        address council_,
        address rewardSource_,
        address[] memory actors_,
        address[] memory operators_
    ) {
        staking = staking_;
        token = token_;
        slasher = slasher_;
        council = council_;
        rewardSource = rewardSource_;
        actors = actors_;
        operators = operators_;
    }

    /// @dev The receipt domain and the key of `operators[0]`, whose conflicting receipts {selfReport} signs.
    function setObjectiveFaults(MockReceiptDomain domain_, uint256 nodeKey_) external {
        if (address(domain) != address(0)) return; // set once, in setUp
        domain = domain_;
        nodeKey = nodeKey_;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function operatorCount() external view returns (uint256) {
        return operators.length;
    }

    /* ACTIONS */

    function delegate(uint256 actorSeed, uint256 opSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        address op = operators[opSeed % operators.length];
        amount = bound(amount, 1e12, 100_000e18);
        if (token.balanceOf(actor) < amount) return;
        _pricedCall(op, false);
        bool paused = _paused();
        vm.prank(actor);
        try staking.delegate(op, amount) {
            if (paused) pausedCallSucceeded = true;
        } catch {}
        _checkPrice(op);
    }

    function requestUnbond(uint256 actorSeed, uint256 opSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        address op = operators[opSeed % operators.length];
        uint256 value = staking.stakeValue(actor, op);
        if (value == 0) return;
        amount = bound(amount, 1, value);
        _pricedCall(op, false);
        bool paused = _paused();
        vm.prank(actor);
        try staking.requestUnbond(op, amount) returns (uint256 id) {
            if (paused) pausedCallSucceeded = true;
            withdrawals.push(PendingWithdrawal(id, actor, staking.withdrawalOf(id).readyAt));
        } catch {}
        _checkPrice(op);
    }

    function withdraw(uint256 seed) external {
        if (withdrawals.length == 0) return;
        uint256 i = seed % withdrawals.length;
        PendingWithdrawal memory w = withdrawals[i];
        bool paused = _paused();
        vm.prank(w.delegator);
        try staking.withdraw(w.id) {
            if (block.timestamp < w.readyAt) withdrewEarly = true;
            if (paused) pausedCallSucceeded = true;
            withdrawals[i] = withdrawals[withdrawals.length - 1];
            withdrawals.pop();
            ++withdrawalsDone;
        } catch {}
    }

    function notifyReward(uint256 opSeed, uint256 amount) external {
        address op = operators[opSeed % operators.length];
        amount = bound(amount, 1, 10_000e18);
        _pricedCall(op, false);
        vm.prank(rewardSource);
        try staking.notifyReward(op, amount) {} catch {}
        _checkPrice(op);
    }

    function claim(uint256 actorSeed, uint256 opSeed) external {
        address actor = actors[actorSeed % actors.length];
        address op = operators[opSeed % operators.length];
        bool paused = _paused();
        vm.prank(actor);
        try staking.claimRewards(op) {
            if (paused) pausedCallSucceeded = true;
        } catch {}
    }

    function proposeSlash(uint256 opSeed, uint16 bps) external {
        address op = operators[opSeed % operators.length];
        bps = uint16(bound(bps, 1, staking.maxSlashBpsPerPeriod()));
        vm.prank(slasher);
        try staking.proposeSlash(op, bps, actors[0], 1_000, keccak256("evidence")) returns (uint256 id) {
            slashIds.push(id);
        } catch {}
    }

    function resolveSlash(uint256 seed, bool veto) external {
        if (slashIds.length == 0) return;
        uint256 i = seed % slashIds.length;
        uint256 id = slashIds[i];
        IStakingRegistry.SlashProposal memory s = staking.slashProposalOf(id);
        if (veto) {
            vm.prank(council);
            try staking.vetoSlash(id) {} catch {}
        } else {
            bool paused = _paused();
            vm.recordLogs();
            try staking.executeSlash(id) {
                _logSlash(s.operator);
                ++slashesExecuted;
                if (paused) ++slashesExecutedWhilePaused;
            } catch {
                try staking.expireSlash(id) {} catch {}
            }
        }
        _lastPriceSet(s.operator);
        if (staking.slashProposalOf(id).status != IStakingRegistry.SlashStatus.Pending) {
            slashIds[i] = slashIds[slashIds.length - 1];
            slashIds.pop();
        }
    }

    /// @dev The first operator signs two conflicting receipts of a new channel and an accomplice reports them.
    function selfReport(bool sameSeq) external {
        address op = operators[0];
        uint256 channel = ++nextChannel;
        domain.setChannelNode(channel, op);
        UsageReceipt memory a = sampleReceipt(channel, 5, 10e18, keccak256("a"));
        UsageReceipt memory b =
            sameSeq ? sampleReceipt(channel, 5, 10e18, keccak256("b")) : sampleReceipt(channel, 6, 9e18, 0);
        bytes memory sa = _sign(a);
        bytes memory sb = _sign(b);
        uint256 ownBefore = staking.stakeValue(op, op);
        uint256 balanceBefore = token.balanceOf(accomplice);
        _lastPriceSet(op);
        vm.recordLogs();
        vm.prank(accomplice);
        try staking.slashObjective(a, sa, b, sb) {
            _logSlash(op);
            ++objectiveSlashes;
            uint256 gain = token.balanceOf(accomplice) - balanceBefore;
            if (gain > ownBefore - staking.stakeValue(op, op)) reporterOutearnedNode = true;
        } catch {}
        _lastPriceSet(op);
    }

    /// @dev Records the applied bps of the `Slashed` event among the recorded logs (if non-zero).
    function _logSlash(address op) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IStakingRegistry.Slashed.selector) {
                (uint16 bps,,,,) = abi.decode(logs[i].data, (uint16, uint256, uint256, address, uint256));
                if (bps != 0) _recordSlash(op, bps);
            }
        }
    }

    function _recordSlash(address op, uint256 bps) internal {
        slashLog.push(SlashRecord(op, block.timestamp, bps));
        uint256 period = staking.slashPeriod();
        uint256 sum;
        for (uint256 i = slashLog.length; i > 0; --i) {
            SlashRecord storage r = slashLog[i - 1];
            if (r.time + period <= block.timestamp) break; // records are in time order
            if (r.operator == op) sum += r.bps;
        }
        if (sum > staking.maxSlashBpsPerPeriod()) windowAboveCap = true;
    }

    function _sign(UsageReceipt memory r) internal view returns (bytes memory) {
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(nodeKey, domain.receiptDigest(r));
        return abi.encodePacked(rr, s, v);
    }

    /// @dev The council pauses (refused once spent until governance re-arms it).
    function pause() external {
        uint256 balance = token.balanceOf(address(staking));
        vm.prank(council);
        try staking.pause() {
            ++pauses;
            lastPauseAt = block.timestamp;
        } catch {}
        _checkPause(balance);
    }

    /// @dev The council or governance lifts the pause early.
    function unpause(bool byGovernance) external {
        uint256 balance = token.balanceOf(address(staking));
        vm.prank(byGovernance ? staking.governance() : council);
        try staking.unpause() {} catch {}
        _checkPause(balance);
    }

    /// @dev Governance re-appoints the same council, re-arming its pause.
    function rearm() external {
        vm.prank(staking.governance());
        staking.setSecurityCouncil(council);
        ++rearms;
    }

    function _paused() internal view returns (bool) {
        return block.timestamp < staking.pausedUntil();
    }

    function _checkPause(uint256 balanceBefore) internal {
        if (token.balanceOf(address(staking)) != balanceBefore) pauseOutOfBounds = true;
        if (staking.pausedUntil() > lastPauseAt + staking.MAX_PAUSE_DURATION()) pauseOutOfBounds = true;
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 10 days));
    }

    /// @dev Short steps, to land slashes just before and after a period's length from earlier ones.
    function warpShort(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 1 hours));
    }

    /* SHARE PRICE GHOST */

    mapping(address => uint256) internal lastAssets;
    mapping(address => uint256) internal lastShares;
    mapping(address => uint256) internal lastUAssets;
    mapping(address => uint256) internal lastUShares;

    function _pricedCall(address op, bool) internal {
        _lastPriceSet(op);
    }

    function _lastPriceSet(address op) internal {
        IStakingRegistry.Pool memory p = staking.poolOf(op);
        lastAssets[op] = p.activeAssets;
        lastShares[op] = p.activeShares;
        lastUAssets[op] = p.unbondingAssets;
        lastUShares[op] = p.unbondingShares;
    }

    /// @dev Price = (assets + 1) / (shares + 1000); compare by cross-multiplication.
    function _checkPrice(address op) internal {
        IStakingRegistry.Pool memory p = staking.poolOf(op);
        if (
            (uint256(p.activeAssets) + 1) * (lastShares[op] + 1e3)
                < (lastAssets[op] + 1) * (uint256(p.activeShares) + 1e3)
        ) {
            priceFellOutsideSlash = true;
        }
        if (
            (uint256(p.unbondingAssets) + 1) * (lastUShares[op] + 1e3)
                < (lastUAssets[op] + 1) * (uint256(p.unbondingShares) + 1e3)
        ) priceFellOutsideSlash = true;
    }
}

/// @dev The deep profile's 1000 x 256 would take ~20 min here (five invariants checked after every call); 256 x 128.
/// forge-config: deep.invariant.runs = 256
/// forge-config: deep.invariant.depth = 128
contract StakingRegistryInvariantTest is StakingGovBase {
    StakingHandler internal handler;
    address internal op2 = makeAddr("op2");

    function setUp() public override {
        super.setUp();
        _fund(op2, 1_000_000e18);
        _registerAndStake(node, OperatorRole.Node, 50_000e18);
        _registerAndStake(op2, OperatorRole.Validator, 20_000e18);
        vm.prank(op2);
        staking.setCommission(2_000);

        address[] memory actors = new address[](4);
        actors[0] = alice;
        actors[1] = bob;
        actors[2] = carol;
        actors[3] = node;
        address[] memory ops = new address[](2);
        ops[0] = node;
        ops[1] = op2;
        handler = new StakingHandler(staking, token, slasher, council, rewardSource, actors, ops);
        handler.setObjectiveFaults(domain, nodeKey);
        vm.prank(rewardSource);
        token.approve(address(staking), type(uint256).max);
        targetContract(address(handler));
    }

    /// @notice The registry's OPEN balance == sum over operators of (active + unbonding pool assets) + the reward
    /// reserve (rewards notified and not yet claimed, rounding dust included). Slashed OPEN leaves at once.
    function invariant_balanceEqualsPoolsPlusRewardReserve() public view {
        uint256 pools;
        for (uint256 i; i < handler.operatorCount(); ++i) {
            IStakingRegistry.Pool memory p = staking.poolOf(handler.operators(i));
            pools += uint256(p.activeAssets) + p.unbondingAssets;
        }
        assertEq(token.balanceOf(address(staking)), pools + staking.rewardReserve());
    }

    /// @notice Rewards owed never exceed the reserve (reward rounding never creates OPEN).
    function invariant_rewardReserveCoversOwedRewards() public view {
        uint256 owed;
        for (uint256 i; i < handler.actorCount(); ++i) {
            for (uint256 j; j < handler.operatorCount(); ++j) {
                owed += staking.pendingRewards(handler.actors(i), handler.operators(j));
            }
        }
        assertLe(owed, staking.rewardReserve());
    }

    /// @notice A share's value (hence every delegator's) only falls through slashing.
    function invariant_sharePriceOnlyFallsThroughSlashing() public view {
        assertFalse(handler.priceFellOutsideSlash());
    }

    /// @notice No withdrawal succeeds before its unbonding delay.
    function invariant_noWithdrawalBeforeDelay() public view {
        assertFalse(handler.withdrewEarly());
    }

    /// @notice While paused, no delegation, unbond request, withdrawal or claim succeeds.
    function invariant_pausedEntryPointsNeverSucceed() public view {
        assertFalse(handler.pausedCallSucceeded());
    }

    /// @notice A pause never outlasts its bound nor moves OPEN; the council pauses at most once per appointment.
    function invariant_pauseBoundedAndOncePerAppointment() public view {
        assertFalse(handler.pauseOutOfBounds());
        assertLe(handler.pauses(), handler.rearms() + 1);
    }

    /// @notice The bps applied to one operator within any window of `slashPeriod` seconds never sum above the cap
    /// (slashes start a window at each one; the period and cap stay at their defaults here).
    function invariant_slashCapHoldsOverEveryWindow() public view {
        assertFalse(handler.windowAboveCap());
    }

    /// @notice An objective slash never pays its reporter more than the node itself lost.
    function invariant_reporterNeverOutearnsNode() public view {
        assertFalse(handler.reporterOutearnedNode());
    }

    /// @notice Checkpointed staked votes sum to the checkpointed total, and never exceed what is bonded plus slashed.
    function invariant_stakedVotesSumToTotal() public view {
        if (block.timestamp == 0) return;
        uint256 t = block.timestamp - 1;
        uint256 sum;
        for (uint256 i; i < handler.actorCount(); ++i) {
            sum += staking.getPastStakedVotes(handler.actors(i), t);
        }
        sum += staking.getPastStakedVotes(op2, t);
        assertEq(sum, staking.getPastTotalStaked(t));
    }
}

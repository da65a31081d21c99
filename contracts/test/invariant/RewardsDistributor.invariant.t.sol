// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {SettlementFixture} from "../utils/SettlementFixture.sol";
import {SettlementMerkle} from "../utils/SettlementMerkle.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";

/// @notice Drives epochs of growing cumulative trees over four accounts through funding, posting, disputes,
/// finalization and claims; never reverts.
contract RewardsDistributorHandler is Test {
    using SettlementMerkle for SettlementMerkle.Leaf[];

    uint256 internal constant ACCOUNTS = 4;
    OpenToken internal token;
    RewardsDistributor internal distributor;
    address internal treasury;
    address internal poster;
    address internal disputer;
    address internal governance;

    /// @dev The cumulative amounts of the latest posted tree, and of each posted root.
    uint256[ACCOUNTS] internal cumulative;
    mapping(uint256 index => uint256[ACCOUNTS]) internal treeAmounts;
    uint256 public epoch;

    uint256 public ghostFunded;
    uint256 public ghostClaimed;
    mapping(address => uint256) public ghostReceived;
    /// @dev Highest cumulative amount of each account in any root that became final.
    mapping(address => uint256) public ghostMaxFinal;

    constructor(
        OpenToken token_,
        RewardsDistributor distributor_,
        address treasury_,
        address poster_,
        address disputer_,
        address governance_
    ) {
        token = token_;
        distributor = distributor_;
        treasury = treasury_;
        poster = poster_;
        disputer = disputer_;
        governance = governance_;
    }

    function account(uint256 i) public pure returns (address) {
        return address(uint160(0xACC0 + i));
    }

    function _leaves(uint256[ACCOUNTS] memory amts) internal pure returns (SettlementMerkle.Leaf[] memory l) {
        l = new SettlementMerkle.Leaf[](ACCOUNTS);
        for (uint256 i; i < ACCOUNTS; ++i) {
            l[i] = SettlementMerkle.Leaf(account(i), amts[i], i + 1);
        }
    }

    function fund(uint256 amount) external {
        amount = bound(amount, 1, 1_000e18);
        vm.startPrank(treasury);
        token.approve(address(distributor), amount);
        distributor.fundPool(1, amount);
        vm.stopPrank();
        ghostFunded += amount;
    }

    function post(uint256 seed, bool overstate) external {
        uint256[ACCOUNTS] memory next = cumulative;
        uint256 total;
        for (uint256 i; i < ACCOUNTS; ++i) {
            next[i] += uint256(keccak256(abi.encode(seed, i))) % 100e18;
            total += next[i];
        }
        // An overstating poster claims a smaller total than its leaves sum to (a disputable lie).
        uint256 claimedTotal = overstate ? total / 2 : total;
        (uint256 funded,,,) = distributor.totals();
        (, uint256 finalIndex) = distributor.rootCounts();
        uint256 finalTotal = finalIndex == 0 ? 0 : distributor.rootRecord(finalIndex).total;
        (,, uint256 free,) = distributor.posterInfo(poster);
        (, uint96 bond,,,,) = distributor.parameters();
        if (claimedTotal > funded || claimedTotal < finalTotal || free < bond) return;
        vm.prank(poster);
        uint256 index = distributor.postRoot(epoch + 1, block.timestamp, _leaves(next).root(), claimedTotal, 10, "");
        epoch++;
        cumulative = next;
        treeAmounts[index] = next;
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 1, 2 days));
    }

    function finalize(uint256 seed) external {
        (uint256 count,) = distributor.rootCounts();
        if (count == 0) return;
        uint256 index = seed % count + 1;
        IRewardsDistributor.RootRecord memory r = distributor.rootRecord(index);
        if (distributor.rootStatus(index) != IRewardsDistributor.RootStatus.Pending || block.timestamp < r.finalAt) {
            return;
        }
        distributor.finalize(index);
        _recordFinal(index);
    }

    function disputeAndResolve(uint256 seed, bool posterWins) external {
        (uint256 count,) = distributor.rootCounts();
        if (count == 0) return;
        uint256 index = seed % count + 1;
        IRewardsDistributor.RootRecord memory r = distributor.rootRecord(index);
        if (distributor.rootStatus(index) != IRewardsDistributor.RootStatus.Pending || block.timestamp >= r.finalAt) {
            return;
        }
        (,, uint96 bond,,,) = distributor.parameters();
        vm.startPrank(disputer);
        token.approve(address(distributor), bond);
        distributor.dispute(index, "");
        vm.stopPrank();
        vm.prank(governance);
        distributor.resolveDispute(index, posterWins);
        if (distributor.rootStatus(index) == IRewardsDistributor.RootStatus.Final) _recordFinal(index);
    }

    function _recordFinal(uint256 index) internal {
        for (uint256 i; i < ACCOUNTS; ++i) {
            if (treeAmounts[index][i] > ghostMaxFinal[account(i)]) ghostMaxFinal[account(i)] = treeAmounts[index][i];
        }
    }

    /// @dev Every account with something left, in one batch (all or nothing).
    function claimAll() external {
        (, uint256 finalIndex) = distributor.rootCounts();
        if (finalIndex == 0) return;
        uint256[ACCOUNTS] memory amts = treeAmounts[finalIndex];
        SettlementMerkle.Leaf[] memory l = _leaves(amts);
        uint256 n;
        uint256 owed;
        for (uint256 i; i < ACCOUNTS; ++i) {
            uint256 c = distributor.claimed(account(i));
            if (amts[i] > c) {
                n++;
                owed += amts[i] - c;
            }
        }
        (,,, uint256 available) = distributor.totals();
        if (n == 0 || owed > available) return;
        IRewardsDistributor.Claim[] memory cs = new IRewardsDistributor.Claim[](n);
        uint256 k;
        for (uint256 i; i < ACCOUNTS; ++i) {
            if (amts[i] > distributor.claimed(account(i))) {
                cs[k++] = IRewardsDistributor.Claim(account(i), amts[i], i + 1, l.proof(i));
            }
        }
        uint256[ACCOUNTS] memory balBefore;
        for (uint256 i; i < ACCOUNTS; ++i) {
            balBefore[i] = token.balanceOf(account(i));
        }
        uint256 paid = distributor.claimMany(cs);
        ghostClaimed += paid;
        for (uint256 i; i < ACCOUNTS; ++i) {
            ghostReceived[account(i)] += token.balanceOf(account(i)) - balBefore[i];
        }
    }

    function claim(uint256 seed) external {
        (, uint256 finalIndex) = distributor.rootCounts();
        if (finalIndex == 0) return;
        uint256 i = seed % ACCOUNTS;
        uint256[ACCOUNTS] memory amts = treeAmounts[finalIndex];
        address a = account(i);
        if (amts[i] <= distributor.claimed(a)) return;
        (,,, uint256 available) = distributor.totals();
        if (amts[i] - distributor.claimed(a) > available) return; // an overstated root runs dry: refused
        uint256 paid = distributor.claim(a, amts[i], i + 1, _leaves(amts).proof(i));
        ghostClaimed += paid;
        ghostReceived[a] += paid;
    }
}

contract RewardsDistributorInvariantTest is SettlementFixture {
    RewardsDistributorHandler internal handler;

    function setUp() public override {
        super.setUp();
        _bond(50 * uint256(POSTER_BOND));
        handler = new RewardsDistributorHandler(token, distributor, treasury, poster, disputer, governance);
        targetContract(address(handler));
    }

    function invariant_totalClaimedNeverAboveFunded() public view {
        (uint256 funded,,,) = distributor.totals();
        assertLe(handler.ghostClaimed(), handler.ghostFunded());
        assertEq(funded, handler.ghostFunded());
    }

    function invariant_noAccountAboveItsCumulativeAmount() public view {
        for (uint256 i; i < 4; ++i) {
            address a = handler.account(i);
            assertLe(handler.ghostReceived(a), handler.ghostMaxFinal(a));
            assertEq(token.balanceOf(a), handler.ghostReceived(a));
            assertEq(distributor.claimed(a), handler.ghostReceived(a));
        }
    }

    function invariant_balanceCoversPoolsAndBonds() public view {
        (uint256 funded,, uint256 bondsHeld, uint256 available) = distributor.totals();
        assertEq(token.balanceOf(address(distributor)), funded - handler.ghostClaimed() + bondsHeld);
        assertEq(available, funded - handler.ghostClaimed());
    }
}

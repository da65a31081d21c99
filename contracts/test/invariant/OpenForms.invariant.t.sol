// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {OpenTokenL2} from "../../src/token/OpenTokenL2.sol";
import {WrappedOpen} from "../../src/token/WrappedOpen.sol";
import {MockMessenger, StandardBridgeStandIn} from "../integration/bridge/OpBridgeStandIn.sol";

/// @notice Moves OPEN in every form: L1 transfers, bridge deposits and withdrawals (relayed or still queued),
/// WOPEN wraps and unwraps. Never reverts; keeps ghost totals.
contract OpenFormsHandler is Test {
    OpenToken public l1;
    OpenTokenL2 public l2;
    WrappedOpen public wopen;
    StandardBridgeStandIn public l1Bridge;
    StandardBridgeStandIn public l2Bridge;
    MockMessenger public l1Messenger;
    MockMessenger public l2Messenger;
    address[3] public actors = [makeAddr("a0"), makeAddr("a1"), makeAddr("a2")];
    uint256 public ghostInFlightToL2;
    uint256 public ghostInFlightToL1;
    uint256 public ghostWrapped;

    constructor(
        OpenToken l1_,
        OpenTokenL2 l2_,
        WrappedOpen w_,
        StandardBridgeStandIn b1,
        StandardBridgeStandIn b2,
        MockMessenger m1,
        MockMessenger m2
    ) {
        (l1, l2, wopen, l1Bridge, l2Bridge, l1Messenger, l2Messenger) = (l1_, l2_, w_, b1, b2, m1, m2);
        for (uint256 i; i < 3; ++i) {
            vm.deal(actors[i], 1_000 ether);
            vm.prank(actors[i]);
            l1.approve(address(l1Bridge), type(uint256).max);
        }
    }

    function transferL1(uint256 from, uint256 to, uint256 amount) external {
        address f = actors[bound(from, 0, 2)];
        amount = bound(amount, 0, l1.balanceOf(f));
        vm.prank(f);
        l1.transfer(actors[bound(to, 0, 2)], amount);
    }

    function deposit(uint256 who, uint256 amount) external {
        address a = actors[bound(who, 0, 2)];
        amount = bound(amount, 0, l1.balanceOf(a));
        vm.prank(a);
        l1Bridge.bridgeERC20To(address(l1), address(l2), a, amount, 100_000, "");
        ghostInFlightToL2 += amount;
    }

    function withdraw(uint256 who, uint256 amount) external {
        address a = actors[bound(who, 0, 2)];
        amount = bound(amount, 0, l2.balanceOf(a));
        vm.prank(a);
        l2Bridge.bridgeERC20To(address(l2), address(l1), a, amount, 100_000, "");
        ghostInFlightToL1 += amount;
    }

    function relayToL2() external {
        l1Messenger.relayAll();
        ghostInFlightToL2 = 0;
    }

    function relayToL1() external {
        l2Messenger.relayAll();
        ghostInFlightToL1 = 0;
    }

    function wrap(uint256 who, uint256 amount) external {
        address a = actors[bound(who, 0, 2)];
        amount = bound(amount, 1, a.balance == 0 ? 1 : a.balance);
        if (a.balance < amount) return;
        vm.prank(a);
        wopen.deposit{value: amount}();
        ghostWrapped += amount;
    }

    function unwrap(uint256 who, uint256 amount) external {
        address a = actors[bound(who, 0, 2)];
        if (wopen.balanceOf(a) == 0) return;
        amount = bound(amount, 1, wopen.balanceOf(a));
        vm.prank(a);
        wopen.withdraw(amount);
        ghostWrapped -= amount;
    }
}

contract OpenFormsInvariantTest is Test {
    OpenToken internal l1;
    OpenTokenL2 internal l2;
    WrappedOpen internal wopen;
    StandardBridgeStandIn internal l1Bridge;
    OpenFormsHandler internal handler;
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        l1 = new OpenToken(treasury);
        MockMessenger m1 = new MockMessenger();
        MockMessenger m2 = new MockMessenger();
        m1.pair(m2);
        m2.pair(m1);
        l1Bridge = new StandardBridgeStandIn(m1);
        StandardBridgeStandIn l2Bridge = new StandardBridgeStandIn(m2);
        l1Bridge.setOtherBridge(l2Bridge);
        l2Bridge.setOtherBridge(l1Bridge);
        l2 = new OpenTokenL2(address(l2Bridge), address(l1));
        wopen = new WrappedOpen();
        handler = new OpenFormsHandler(l1, l2, wopen, l1Bridge, l2Bridge, m1, m2);
        for (uint256 i; i < 3; ++i) {
            address actor = handler.actors(i);
            vm.prank(treasury);
            l1.transfer(actor, 1_000e18);
        }
        targetContract(address(handler));
    }

    /// @dev L1 supply never changes (no mint after deployment).
    function invariant_l1SupplyConstant() public view {
        assertEq(l1.totalSupply(), 1_000_000_000e18);
    }

    /// @dev OPEN locked in the L1 bridge == L2 supply + deposits not yet relayed + withdrawals burned on L2 but
    /// not yet released on L1.
    function invariant_l2BackedByL1Locks() public view {
        assertEq(
            l1.balanceOf(address(l1Bridge)),
            l2.totalSupply() + handler.ghostInFlightToL2() + handler.ghostInFlightToL1()
        );
    }

    /// @dev WOPEN is always backed 1:1 by native OPEN held.
    function invariant_wopenBackedOneToOne() public view {
        assertEq(wopen.totalSupply(), address(wopen).balance);
        assertEq(wopen.totalSupply(), handler.ghostWrapped());
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {OpenTokenL2} from "../../src/token/OpenTokenL2.sol";
import {IOpenTokenL2, IOptimismMintableERC20, ILegacyMintableERC20} from "../../src/interfaces/IOpenTokenL2.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {MockMessenger, StandardBridgeStandIn} from "./bridge/OpBridgeStandIn.sol";

/// @notice OPEN across an OP-Stack Standard Bridge stand-in: L1 lock -> L2 mint; L2 burn -> L1 release.
contract OpenTokenBridgeTest is Test {
    OpenToken internal l1Token;
    OpenTokenL2 internal l2Token;
    MockMessenger internal l1Messenger;
    MockMessenger internal l2Messenger;
    StandardBridgeStandIn internal l1Bridge;
    StandardBridgeStandIn internal l2Bridge;
    address internal treasury = makeAddr("treasury");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        vm.warp(1_800_000_000);
        l1Token = new OpenToken(treasury);
        l1Messenger = new MockMessenger();
        l2Messenger = new MockMessenger();
        l1Messenger.pair(l2Messenger);
        l2Messenger.pair(l1Messenger);
        l1Bridge = new StandardBridgeStandIn(l1Messenger);
        l2Bridge = new StandardBridgeStandIn(l2Messenger);
        l1Bridge.setOtherBridge(l2Bridge);
        l2Bridge.setOtherBridge(l1Bridge);
        l2Token = new OpenTokenL2(address(l2Bridge), address(l1Token));
        vm.prank(treasury);
        l1Token.transfer(alice, 1_000e18);
    }

    function _deposit(address from, address to, uint256 amount) internal {
        vm.startPrank(from);
        l1Token.approve(address(l1Bridge), amount);
        l1Bridge.bridgeERC20To(address(l1Token), address(l2Token), to, amount, 200_000, "");
        vm.stopPrank();
        l1Messenger.relayAll();
    }

    function test_interfaces_matchOpStackIds() public view {
        assertEq(type(IOptimismMintableERC20).interfaceId, bytes4(0xec4fc8e3));
        assertEq(type(ILegacyMintableERC20).interfaceId, bytes4(0x1d1d8b63));
        assertTrue(l2Token.supportsInterface(0xec4fc8e3));
        assertTrue(l2Token.supportsInterface(0x1d1d8b63));
        assertTrue(l2Token.supportsInterface(type(IERC165).interfaceId));
        assertFalse(l2Token.supportsInterface(0xffffffff));
        assertEq(l2Token.remoteToken(), address(l1Token));
        assertEq(l2Token.l1Token(), address(l1Token));
        assertEq(l2Token.bridge(), address(l2Bridge));
        assertEq(l2Token.l2Bridge(), address(l2Bridge));
        assertEq(l2Token.name(), "Lineage");
        assertEq(l2Token.symbol(), "OPEN");
        assertEq(l2Token.decimals(), 18);
        assertEq(l2Token.totalSupply(), 0);
        assertEq(l2Token.CLOCK_MODE(), "mode=timestamp");
        assertEq(l2Token.clock(), uint48(block.timestamp));
    }

    function test_constructor_revertsOnZero() public {
        vm.expectRevert(IOpenTokenL2.OpenTokenL2ZeroAddress.selector);
        new OpenTokenL2(address(0), address(l1Token));
        vm.expectRevert(IOpenTokenL2.OpenTokenL2ZeroAddress.selector);
        new OpenTokenL2(address(l2Bridge), address(0));
    }

    function test_deposit_locksOnL1AndMintsOnL2() public {
        _deposit(alice, bob, 300e18);
        assertEq(l1Token.balanceOf(alice), 700e18);
        assertEq(l1Token.balanceOf(address(l1Bridge)), 300e18);
        assertEq(l1Bridge.deposits(address(l1Token), address(l2Token)), 300e18);
        assertEq(l2Token.balanceOf(bob), 300e18);
        assertEq(l2Token.totalSupply(), 300e18);
    }

    function test_withdraw_burnsOnL2AndReleasesOnL1() public {
        _deposit(alice, bob, 300e18);
        vm.expectEmit(true, false, false, true, address(l2Token));
        emit IOpenTokenL2.Burn(bob, 120e18);
        vm.prank(bob);
        l2Bridge.bridgeERC20To(address(l2Token), address(l1Token), bob, 120e18, 200_000, "");
        assertEq(l2Token.balanceOf(bob), 180e18);
        assertEq(l2Token.totalSupply(), 180e18);
        assertEq(l1Token.balanceOf(bob), 0); // not yet relayed
        l2Messenger.relayAll();
        assertEq(l1Token.balanceOf(bob), 120e18);
        assertEq(l1Token.balanceOf(address(l1Bridge)), 180e18);
        // conservation: L2 supply equals what the L1 bridge holds
        assertEq(l2Token.totalSupply(), l1Bridge.deposits(address(l1Token), address(l2Token)));
    }

    function test_mintBurn_onlyBridge() public {
        vm.expectRevert(abi.encodeWithSelector(IOpenTokenL2.OpenTokenL2OnlyBridge.selector, alice));
        vm.prank(alice);
        l2Token.mint(alice, 1);
        _deposit(alice, bob, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IOpenTokenL2.OpenTokenL2OnlyBridge.selector, bob));
        vm.prank(bob);
        l2Token.burn(bob, 1);
        assertEq(l2Token.totalSupply(), 10e18);
    }

    function test_finalize_onlyFromOtherBridgeViaMessenger() public {
        vm.expectRevert("StandardBridge: function can only be called from the other bridge");
        l2Bridge.finalizeBridgeERC20(address(l2Token), address(l1Token), alice, alice, 1e18, "");
        assertEq(l2Token.totalSupply(), 0);
    }

    function test_deposit_wrongRemotePairRefusedOnL2() public {
        OpenToken fake = new OpenToken(alice);
        vm.startPrank(alice);
        fake.approve(address(l1Bridge), 1e18);
        l1Bridge.bridgeERC20To(address(fake), address(l2Token), alice, 1e18, 200_000, "");
        vm.stopPrank();
        vm.expectRevert();
        l1Messenger.relayAll();
        assertEq(l2Token.totalSupply(), 0);
    }

    function test_votesAndPermit_workOnL2() public {
        _deposit(alice, bob, 50e18);
        vm.prank(bob);
        l2Token.delegate(bob);
        assertEq(l2Token.getVotes(bob), 50e18);
        uint256 t = block.timestamp;
        vm.warp(t + 5);
        assertEq(l2Token.getPastVotes(bob, t), 50e18);
        uint256 pk = 0xB0B;
        address signer = vm.addr(pk);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                signer,
                alice,
                7,
                0,
                block.timestamp
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(pk, keccak256(abi.encodePacked("\x19\x01", l2Token.DOMAIN_SEPARATOR(), structHash)));
        l2Token.permit(signer, alice, 7, block.timestamp, v, r, s);
        assertEq(l2Token.allowance(signer, alice), 7);
    }

    function testFuzz_roundTrip_conservesSupply(uint256 dep, uint256 wd) public {
        dep = bound(dep, 1, 1_000e18);
        wd = bound(wd, 0, dep);
        _deposit(alice, alice, dep);
        vm.prank(alice);
        l2Bridge.bridgeERC20To(address(l2Token), address(l1Token), alice, wd, 200_000, "");
        l2Messenger.relayAll();
        assertEq(l1Token.balanceOf(alice), 1_000e18 - dep + wd);
        assertEq(l2Token.balanceOf(alice), dep - wd);
        assertEq(l2Token.totalSupply(), l1Token.balanceOf(address(l1Bridge)));
        assertEq(l1Token.totalSupply(), 1_000_000_000e18);
    }
}

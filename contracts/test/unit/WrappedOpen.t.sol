// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {WrappedOpen} from "../../src/token/WrappedOpen.sol";
import {IWrappedOpen} from "../../src/interfaces/IOpenTokenWrapped.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract RefusesNative {
    receive() external payable {
        revert("no");
    }
}

contract Reenterer {
    WrappedOpen internal w;
    bool internal tried;

    constructor(WrappedOpen w_) payable {
        w = w_;
    }

    function go() external {
        w.deposit{value: 2 ether}();
        w.withdraw(1 ether);
    }

    receive() external payable {
        if (!tried) {
            tried = true;
            w.withdraw(1 ether);
        }
    }
}

contract WrappedOpenTest is Test {
    WrappedOpen internal w;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        vm.warp(1_800_000_000);
        w = new WrappedOpen();
        vm.deal(alice, 100 ether);
    }

    function test_metadataAndClock() public view {
        assertEq(w.name(), "Wrapped OPEN");
        assertEq(w.symbol(), "WOPEN");
        assertEq(w.decimals(), 18);
        assertEq(w.CLOCK_MODE(), "mode=timestamp");
        assertEq(w.clock(), uint48(block.timestamp));
    }

    function test_deposit_mintsOneToOne() public {
        vm.expectEmit(true, false, false, true, address(w));
        emit IWrappedOpen.Deposit(alice, 3 ether);
        vm.prank(alice);
        w.deposit{value: 3 ether}();
        assertEq(w.balanceOf(alice), 3 ether);
        assertEq(address(w).balance, 3 ether);
        vm.prank(alice);
        (bool ok,) = address(w).call{value: 1 ether}("");
        assertTrue(ok);
        assertEq(w.balanceOf(alice), 4 ether);
        vm.prank(alice);
        w.depositTo{value: 1 ether}(bob);
        assertEq(w.balanceOf(bob), 1 ether);
        assertEq(w.totalSupply(), address(w).balance);
    }

    function test_deposit_revertsOnZero() public {
        vm.expectRevert(IWrappedOpen.WrappedOpenZeroAmount.selector);
        vm.prank(alice);
        w.deposit();
    }

    function test_withdraw_burnsAndSendsNative() public {
        vm.startPrank(alice);
        w.deposit{value: 3 ether}();
        vm.expectEmit(true, false, false, true, address(w));
        emit IWrappedOpen.Withdrawal(alice, 2 ether);
        w.withdraw(2 ether);
        w.withdrawTo(bob, 1 ether);
        vm.stopPrank();
        assertEq(alice.balance, 99 ether);
        assertEq(bob.balance, 1 ether);
        assertEq(w.totalSupply(), 0);
    }

    function test_withdraw_revertsOverBalanceOrZero() public {
        vm.prank(alice);
        w.deposit{value: 1 ether}();
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 1 ether, 2 ether));
        vm.prank(alice);
        w.withdraw(2 ether);
        vm.expectRevert(IWrappedOpen.WrappedOpenZeroAmount.selector);
        vm.prank(alice);
        w.withdraw(0);
    }

    function test_withdrawTo_revertsWhenRecipientRefuses() public {
        RefusesNative r = new RefusesNative();
        vm.prank(alice);
        w.deposit{value: 1 ether}();
        vm.expectRevert(abi.encodeWithSelector(IWrappedOpen.WrappedOpenTransferFailed.selector, address(r), 1 ether));
        vm.prank(alice);
        w.withdrawTo(address(r), 1 ether);
        assertEq(w.balanceOf(alice), 1 ether);
    }

    function test_withdraw_reentrancyRefused() public {
        Reenterer r = new Reenterer{value: 2 ether}(w);
        vm.expectRevert(abi.encodeWithSelector(IWrappedOpen.WrappedOpenTransferFailed.selector, address(r), 1 ether));
        r.go();
    }

    function test_votes_followWrappedBalance() public {
        vm.startPrank(alice);
        w.deposit{value: 5 ether}();
        w.delegate(alice);
        vm.stopPrank();
        uint256 t = block.timestamp;
        assertEq(w.getVotes(alice), 5 ether);
        vm.warp(t + 10);
        vm.prank(alice);
        w.withdraw(2 ether);
        assertEq(w.getVotes(alice), 3 ether);
        vm.warp(t + 20);
        assertEq(w.getPastVotes(alice, t), 5 ether);
        assertEq(w.getPastTotalSupply(t + 10), 3 ether);
    }

    function test_permit_setsAllowance() public {
        uint256 pk = 0xA11;
        address signer = vm.addr(pk);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                signer,
                bob,
                9,
                0,
                block.timestamp
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(pk, keccak256(abi.encodePacked("\x19\x01", w.DOMAIN_SEPARATOR(), structHash)));
        w.permit(signer, bob, 9, block.timestamp, v, r, s);
        assertEq(w.allowance(signer, bob), 9);
    }

    function testFuzz_depositWithdraw_backedOneToOne(uint256 a, uint256 b) public {
        a = bound(a, 1, 100 ether);
        b = bound(b, 1, a);
        vm.startPrank(alice);
        w.deposit{value: a}();
        w.withdraw(b);
        vm.stopPrank();
        assertEq(w.totalSupply(), a - b);
        assertEq(address(w).balance, a - b);
        assertEq(alice.balance, 100 ether - a + b);
    }
}

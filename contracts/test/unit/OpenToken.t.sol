// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {OpenToken} from "../../src/token/OpenToken.sol";
import {IOpenTokenL1} from "../../src/interfaces/IOpenToken.sol";

contract OpenTokenTest is Test {
    OpenToken internal token;
    address internal treasury = makeAddr("treasury");
    uint256 internal alicePk = 0xA11CE;
    address internal alice;
    address internal bob = makeAddr("bob");

    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 internal constant DELEGATION_TYPEHASH =
        keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)");

    function setUp() public {
        alice = vm.addr(alicePk);
        vm.warp(1_800_000_000);
        token = new OpenToken(treasury);
    }

    function test_constructor_mintsFixedSupplyToTreasury() public view {
        assertEq(token.name(), "Lineage");
        assertEq(token.symbol(), "OPEN");
        assertEq(token.decimals(), 18);
        assertEq(token.totalSupply(), 1_000_000_000e18);
        assertEq(token.TOTAL_SUPPLY(), 1_000_000_000e18);
        assertEq(token.balanceOf(treasury), 1_000_000_000e18);
    }

    function test_constructor_revertsOnZeroTreasury() public {
        vm.expectRevert(IOpenTokenL1.OpenTokenZeroTreasury.selector);
        new OpenToken(address(0));
    }

    function test_noMintFunction() public {
        (bool ok,) = address(token).call(abi.encodeWithSignature("mint(address,uint256)", alice, 1));
        assertFalse(ok);
        assertEq(token.totalSupply(), 1_000_000_000e18);
    }

    function test_clock_isTimestamp() public {
        assertEq(token.clock(), uint48(block.timestamp));
        assertEq(token.CLOCK_MODE(), "mode=timestamp");
        vm.warp(block.timestamp + 123);
        assertEq(token.clock(), uint48(block.timestamp));
    }

    function test_transfer_revertsOverBalance() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 0, 1));
        token.transfer(bob, 1);
    }

    function test_permit_setsAllowanceAndRejectsReplay() public {
        vm.prank(treasury);
        token.transfer(alice, 10e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(alice, bob, 5e18, 0, deadline);
        token.permit(alice, bob, 5e18, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 5e18);
        assertEq(token.nonces(alice), 1);
        vm.expectRevert();
        token.permit(alice, bob, 5e18, deadline, v, r, s);
    }

    function test_permit_revertsWhenExpired() public {
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(alice, bob, 1, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(alice, bob, 1, deadline, v, r, s);
    }

    function test_delegate_votesFollowBalancesOnTimestampClock() public {
        vm.prank(treasury);
        token.transfer(alice, 100e18);
        vm.prank(alice);
        token.delegate(alice);
        uint256 t0 = block.timestamp;
        assertEq(token.getVotes(alice), 100e18);
        vm.warp(t0 + 10);
        vm.prank(alice);
        token.transfer(bob, 40e18);
        assertEq(token.getVotes(alice), 60e18);
        vm.warp(t0 + 20);
        assertEq(token.getPastVotes(alice, t0), 100e18);
        assertEq(token.getPastVotes(alice, t0 + 10), 60e18);
        assertEq(token.getPastTotalSupply(t0 + 10), 1_000_000_000e18);
        vm.expectRevert(abi.encodeWithSelector(Votes.ERC5805FutureLookup.selector, t0 + 20, uint48(t0 + 20)));
        token.getPastVotes(alice, t0 + 20);
    }

    function test_delegateBySig_sharesNonceWithPermit() public {
        uint256 expiry = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(abi.encode(DELEGATION_TYPEHASH, bob, 0, expiry));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alicePk, _digest(structHash));
        token.delegateBySig(bob, 0, expiry, v, r, s);
        assertEq(token.delegates(alice), bob);
        assertEq(token.nonces(alice), 1);
    }

    function testFuzz_transfer_conservesSupply(address to, uint256 amount) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, token.balanceOf(treasury));
        vm.prank(treasury);
        token.transfer(to, amount);
        assertEq(token.totalSupply(), 1_000_000_000e18);
        if (to != treasury) assertEq(token.balanceOf(to), amount);
    }

    function _signPermit(address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8, bytes32, bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline));
        return vm.sign(alicePk, _digest(structHash));
    }

    function _digest(bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
    }
}

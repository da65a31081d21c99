// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GovernorScenario} from "../unit/LineageGovernor.t.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IStakingRegistry} from "../../src/interfaces/IStakingRegistry.sol";
import {OperatorRole} from "../../src/types/Roles.sol";

/// @notice The full lifecycle on real OPEN, TimelockController, StakingRegistry and LineageGovernor:
/// propose -> vote with OPEN (castVote), with merit (castVoteWithReasonAndParams), by signature (castVoteBySig)
/// -> queue -> execute, changing the StakingRegistry's minimum node stake through the Timelock.
contract StakingGovLifecycleTest is GovernorScenario {
    bytes32 internal constant BALLOT_TYPEHASH =
        keccak256("Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)");

    function test_lifecycle_proposeVoteQueueExecute() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _proposal();
        string memory description = "Raise the node minimum stake to 20,000 OPEN";
        vm.prank(alice);
        uint256 id = governor.propose(t, v, c, description);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Pending));
        assertEq(governor.proposalSnapshot(id), block.timestamp + VOTING_DELAY);

        vm.warp(governor.proposalSnapshot(id) + 1);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Active));

        (uint256 forVotes, uint256 against) = _castAllVotes(id);
        (uint256 againstCounted, uint256 forCounted, uint256 abstain) = governor.proposalVotes(id);
        assertEq(againstCounted, against);
        assertEq(forCounted, forVotes);
        assertEq(abstain, 0);
        uint256 snapshot = governor.proposalSnapshot(id);

        vm.warp(governor.proposalDeadline(id) + 1);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Succeeded));
        assertGe(forVotes, governor.quorum(snapshot));
        governor.queue(t, v, c, keccak256(bytes(description)));
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Queued));

        vm.expectRevert();
        governor.execute(t, v, c, keccak256(bytes(description)));
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        assertEq(staking.minStake(OperatorRole.Node), 10_000e18);
        governor.execute(t, v, c, keccak256(bytes(description)));
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Executed));
        assertEq(staking.minStake(OperatorRole.Node), 20_000e18, "parameter changed through the Timelock");
    }

    function test_lifecycle_defeatedWithoutQuorum() public {
        uint256 id = _propose("no quorum");
        vm.warp(governor.proposalSnapshot(id) + 1);
        vm.prank(bob);
        governor.castVote(id, 1); // 10M < 4% of 1B + merit
        vm.warp(governor.proposalDeadline(id) + 1);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Defeated));
    }

    function test_timelock_onlyGovernorProposes() public {
        bytes32 proposer = timelock.PROPOSER_ROLE();
        assertTrue(timelock.hasRole(proposer, address(governor)));
        assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)), "no admin key left");
        vm.prank(alice);
        vm.expectRevert();
        timelock.schedule(address(staking), 0, "", bytes32(0), bytes32(0), TIMELOCK_DELAY);
        // The registry has no owner: only the Timelock sets parameters.
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingRegistry.StakingNotGovernance.selector, alice));
        staking.setMinStake(OperatorRole.Node, 1e18);
    }

    /// @dev Alice votes for with OPEN (castVote), carol for with merit (params), bob against by signature.
    function _castAllVotes(uint256 id) internal returns (uint256 forVotes, uint256 against) {
        // 1. OPEN (+ stake): castVote counts no merit.
        vm.prank(alice);
        uint256 aliceWeight = governor.castVote(id, 1);
        assertEq(aliceWeight, 61_000_000e18);

        // 2. Merit: carol proves her leaf in the root final at the snapshot.
        bytes memory params = _meritParams(0, 5e18, CAROL_MERIT);
        uint256 expectedMerit = governor.meritVotes(carol, governor.proposalSnapshot(id), params);
        assertGt(expectedMerit, 0);
        vm.prank(carol);
        uint256 carolWeight = governor.castVoteWithReasonAndParams(id, 1, "merit", params);
        assertEq(carolWeight, 1_000_000e18 + expectedMerit);

        // 3. By signature: bob signs, anyone relays.
        against = _voteBySig(id, 0);
        assertEq(against, 11_000_000e18);
        forVotes = aliceWeight + carolWeight;
    }

    function _voteBySig(uint256 id, uint8 support) internal returns (uint256) {
        (address bobAddr, uint256 bobKey) = makeAddrAndKey("bob");
        bytes32 structHash = keccak256(abi.encode(BALLOT_TYPEHASH, id, support, bobAddr, governor.nonces(bobAddr)));
        (uint8 sv, bytes32 sr, bytes32 ss) = vm.sign(bobKey, _digest(structHash));
        return governor.castVoteBySig(id, support, bobAddr, abi.encodePacked(sr, ss, sv));
    }

    function _digest(bytes32 structHash) internal view returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("LineageGovernor"),
                keccak256("1"),
                block.chainid,
                address(governor)
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }
}

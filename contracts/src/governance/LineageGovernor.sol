// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

import {GovernorOpenMeritVotes} from "./GovernorOpenMeritVotes.sol";
import {IOperatorStaking} from "../interfaces/IOperatorStaking.sol";
import {IMeritRoots} from "../interfaces/IMeritRoots.sol";

/// @title LineageGovernor
/// @notice Lineage's Governor: OpenZeppelin 5 Governor with settings (bounded), simple counting, signature voting,
/// a TimelockController that owns every protocol parameter, and votes = OPEN + staked OPEN + merit proven at vote
/// time ({GovernorOpenMeritVotes}).
contract LineageGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorOpenMeritVotes,
    GovernorTimelockControl
{
    /// @notice Bounds of the voting delay (seconds).
    uint48 public constant MIN_VOTING_DELAY = 1 hours;
    /// @notice Bounds of the voting delay (seconds).
    uint48 public constant MAX_VOTING_DELAY = 30 days;
    /// @notice Bounds of the voting period (seconds).
    uint32 public constant MIN_VOTING_PERIOD = 1 days;
    /// @notice Bounds of the voting period (seconds).
    uint32 public constant MAX_VOTING_PERIOD = 60 days;
    /// @notice The highest proposal threshold (1% of OPEN's supply).
    uint256 public constant MAX_PROPOSAL_THRESHOLD = 10_000_000e18;

    /// @notice Initial settings.
    struct Config {
        uint48 votingDelay;
        uint32 votingPeriod;
        uint256 proposalThreshold;
        MeritParameters merit;
    }

    /// @param openToken_ OPEN (ERC-5805, timestamp clock).
    /// @param staking_ The StakingRegistry.
    /// @param meritRoots_ The RewardsDistributor.
    /// @param timelock_ The TimelockController that executes proposals (and owns every parameter).
    /// @param config Initial settings, each within its bounds.
    constructor(
        IERC5805 openToken_,
        IOperatorStaking staking_,
        IMeritRoots meritRoots_,
        TimelockController timelock_,
        Config memory config
    )
        Governor("LineageGovernor")
        GovernorSettings(config.votingDelay, config.votingPeriod, config.proposalThreshold)
        GovernorOpenMeritVotes(openToken_, staking_, meritRoots_, config.merit)
        GovernorTimelockControl(timelock_)
    {}

    /* BOUNDED SETTINGS */

    function _setVotingDelay(uint48 newVotingDelay) internal override {
        _checkBounds("votingDelay", newVotingDelay, MIN_VOTING_DELAY, MAX_VOTING_DELAY);
        super._setVotingDelay(newVotingDelay);
    }

    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        _checkBounds("votingPeriod", newVotingPeriod, MIN_VOTING_PERIOD, MAX_VOTING_PERIOD);
        super._setVotingPeriod(newVotingPeriod);
    }

    function _setProposalThreshold(uint256 newProposalThreshold) internal override {
        _checkBounds("proposalThreshold", newProposalThreshold, 0, MAX_PROPOSAL_THRESHOLD);
        super._setProposalThreshold(newProposalThreshold);
    }

    /* REQUIRED OVERRIDES */

    /// @inheritdoc Governor
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @inheritdoc Governor
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @inheritdoc Governor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @inheritdoc Governor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc GovernorOpenMeritVotes
    function clock() public view override(Governor, GovernorOpenMeritVotes) returns (uint48) {
        return super.clock();
    }

    /// @inheritdoc GovernorOpenMeritVotes
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public view override(Governor, GovernorOpenMeritVotes) returns (string memory) {
        return super.CLOCK_MODE();
    }

    /// @dev {GovernorOpenMeritVotes-_castVote}: merit votes through the snapshot cache, compact event params.
    function _castVote(uint256 proposalId, address account, uint8 support, string memory reason, bytes memory params)
        internal
        override(Governor, GovernorOpenMeritVotes)
        returns (uint256)
    {
        return GovernorOpenMeritVotes._castVote(proposalId, account, support, reason, params);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}

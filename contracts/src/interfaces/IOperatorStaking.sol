// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OperatorRole} from "../types/Roles.sol";

/// @title IOperatorStaking
/// @notice The part of the StakingRegistry (issue 5) that other contracts use.
interface IOperatorStaking {
    /// @notice Whether `operator` is registered for `role`, staked at or above the role minimum, and not jailed.
    function isActiveOperator(address operator, OperatorRole role) external view returns (bool);

    /// @notice Credits `amount` OPEN of rewards to `operator`: its commission to the operator, the rest to its
    /// delegators through the reward-per-share index. Pulls `amount` OPEN from the caller (prior approval).
    /// @dev Callable only by reward sources set by governance (e.g. PaymentChannels).
    function notifyReward(address operator, uint256 amount) external;

    /// @notice OPEN staked on `account`'s behalf (own stake plus delegations it made) at `timepoint` (timestamp),
    /// added to its governance votes. Reverts for a future timepoint.
    function getPastStakedVotes(address account, uint256 timepoint) external view returns (uint256);

    /// @notice Total of {getPastStakedVotes} over all accounts at `timepoint`.
    function getPastTotalStaked(uint256 timepoint) external view returns (uint256);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The operator roles of the StakingRegistry.
enum OperatorRole {
    None,
    Agent,
    Node,
    Validator
}

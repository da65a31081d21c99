// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {OpenTokenBase} from "./OpenTokenBase.sol";
import {IWrappedOpen} from "../interfaces/IOpenTokenWrapped.sol";

/// @title WrappedOpen
/// @notice WOPEN: native OPEN (an L2's custom gas token) wrapped 1:1 as an ERC-20 with permit and timestamp-clock
/// votes. Immutable, no owner. Supply equals the native OPEN it holds (more only if OPEN is forced in).
contract WrappedOpen is OpenTokenBase, ReentrancyGuardTransient, IWrappedOpen {
    constructor() OpenTokenBase("Wrapped OPEN", "WOPEN") {}

    /// @notice A plain native transfer wraps for the sender.
    receive() external payable {
        _deposit(msg.sender);
    }

    /// @inheritdoc IWrappedOpen
    function deposit() external payable {
        _deposit(msg.sender);
    }

    /// @inheritdoc IWrappedOpen
    function depositTo(address to) external payable {
        _deposit(to);
    }

    /// @inheritdoc IWrappedOpen
    function withdraw(uint256 amount) external nonReentrant {
        _withdraw(msg.sender, amount);
    }

    /// @inheritdoc IWrappedOpen
    function withdrawTo(address to, uint256 amount) external nonReentrant {
        _withdraw(to, amount);
    }

    function _deposit(address to) private {
        if (msg.value == 0) revert WrappedOpenZeroAmount();
        _mint(to, msg.value);
        emit Deposit(to, msg.value);
    }

    /// @dev Burns first, then sends (checks-effects-interactions).
    function _withdraw(address to, uint256 amount) private {
        if (amount == 0) revert WrappedOpenZeroAmount();
        _burn(msg.sender, amount);
        emit Withdrawal(msg.sender, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert WrappedOpenTransferFailed(to, amount);
    }
}

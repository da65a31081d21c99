// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IWrappedOpen
/// @notice WOPEN: OPEN wrapped as an ERC-20 where OPEN is an L2's native gas token (as WETH wraps ETH), with permit
/// and timestamp-clock votes ({IOpenToken}) so settlement and governance work unchanged.
/// 1 WOPEN = 1 native OPEN, always.
interface IWrappedOpen {
    /// @notice Sending `amount` native OPEN to `to` failed.
    error WrappedOpenTransferFailed(address to, uint256 amount);
    /// @notice Zero amount.
    error WrappedOpenZeroAmount();

    /// @notice `account` wrapped `amount` native OPEN.
    event Deposit(address indexed account, uint256 amount);
    /// @notice `account` unwrapped `amount` WOPEN to native OPEN.
    event Withdrawal(address indexed account, uint256 amount);

    /// @notice Wraps the native OPEN sent (also on a plain transfer to the contract).
    function deposit() external payable;

    /// @notice Wraps the native OPEN sent and credits `to`.
    function depositTo(address to) external payable;

    /// @notice Unwraps `amount` WOPEN of the caller to native OPEN sent to the caller.
    function withdraw(uint256 amount) external;

    /// @notice Unwraps `amount` WOPEN of the caller to native OPEN sent to `to`.
    function withdrawTo(address to, uint256 amount) external;
}

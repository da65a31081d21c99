// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/// @title IOpenToken
/// @notice Every form of OPEN (PROTOCOL.md, "OPEN in every form"): ERC-20 (18 decimals), EIP-2612 permit and
/// ERC-5805 votes on a timestamp clock (`clock()` = block timestamp, `CLOCK_MODE()` = "mode=timestamp"), so
/// settlement and governance work unchanged on L1, on an OP-Stack L2 twin and on the wrapped form.
interface IOpenToken is IERC20, IERC20Metadata, IERC20Permit, IERC5805 {}

/// @title IOpenTokenL1
/// @notice OPEN on L1 (what it adds to {IOpenToken}): a fixed supply of 1,000,000,000 OPEN minted once at
/// deployment to the treasury. There is no mint function.
interface IOpenTokenL1 {
    /// @notice Thrown by the constructor when the treasury is the zero address.
    error OpenTokenZeroTreasury();

    /// @notice The fixed total supply, 1,000,000,000 OPEN (18 decimals), minted once at deployment.
    // solhint-disable-next-line func-name-mixedcase
    function TOTAL_SUPPLY() external view returns (uint256);
}
